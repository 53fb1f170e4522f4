package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A posting on an account other than main, written by hand as the schema allows (a later version of the
 * engine, a migration), is taken back on that account: the mirror keeps the account. Only public API and SQL
 * here, so the same test shows what 0.2.0 did: it mirrored onto main.
 */
class SecondAccountTest {
    private final TestLedger t = TestDatabase.newLedger();

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void aReversalOfAPostingOnAnotherAccountPostsToThatAccount() throws Exception {
        Ledger ledger = t.ledger();
        ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 5, "sa-main")); // carol's main account: 5
        String s = t.schema();
        TestDatabase.execute("""
                INSERT INTO {s}.wallets (kind, owner_id, asset_id, account, balance)
                SELECT 'USER', 'carol', asset_id, 'paid_20991231t000000z', 0 FROM {s}.wallets
                 WHERE owner_id = 'carol' AND account = 'main';
                INSERT INTO {s}.ledger_references (reference_id) VALUES ('sa-second');
                WITH w AS (SELECT id, asset_id FROM {s}.wallets WHERE owner_id = 'carol' AND account = 'paid_20991231t000000z'),
                     treasury AS (SELECT s.id FROM {s}.wallets s, w
                                   WHERE s.kind = 'SYSTEM' AND s.owner_id = 'TREASURY' AND s.asset_id = w.asset_id),
                     b AS (UPDATE {s}.wallets SET balance = 100, chain_head = decode(repeat('ab', 32), 'hex'),
                                  last_entry_at = now()
                            WHERE id = (SELECT id FROM w)),
                     t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, asset_id, amount, request,
                                  fingerprint, created_at)
                           SELECT '00000000-0000-7000-8000-00000000005a', 'TOPUP', 'sa-second', w.asset_id, 100,
                                  '{"user_id": "carol", "asset_code": "GOLD_COINS", "amount": "100"}',
                                  decode(repeat('00', 32), 'hex'), now() FROM w),
                     ev AS (INSERT INTO {s}.ledger_events (transaction_id, type, created_at)
                            VALUES ('00000000-0000-7000-8000-00000000005a', 'transaction.topup', now()))
                INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after, chain_hash)
                SELECT '00000000-0000-7000-8000-00000000005a'::uuid, (SELECT id FROM w), 'CREDIT', 100, 100,
                       decode(repeat('ab', 32), 'hex')
                UNION ALL
                SELECT '00000000-0000-7000-8000-00000000005a'::uuid, (SELECT id FROM treasury), 'DEBIT', 100, NULL, NULL
                """.replace("{s}", s));
        TransactionResult original = ledger.transactionByReference("sa-second").orElseThrow();
        long second = original.entries().get(0).walletId();

        TransactionResult reversal = ledger.reverse(
                new Operation.Reversal(original.transactionId(), "sa-back", OptionalLong.empty(), null, null));
        Entry user = reversal.entries().stream()
                .filter(e -> e.walletKind() == WalletKind.USER)
                .findFirst()
                .orElseThrow();
        assertEquals(second, user.walletId(), "the mirror debits the account the top-up credited");
        assertEquals(OptionalLong.of(0), user.balanceAfter());
        assertEquals(0, balanceOf(s, second));
        assertEquals(5, ledger.balance("carol", "GOLD_COINS").balance(), "main is untouched");
    }

    private static long balanceOf(String schema, long wallet) throws Exception {
        try (Connection c = TestDatabase.superuser();
                Statement statement = c.createStatement();
                ResultSet row =
                        statement.executeQuery("SELECT balance FROM " + schema + ".wallets WHERE id = " + wallet)) {
            row.next();
            return row.getLong(1);
        }
    }
}
