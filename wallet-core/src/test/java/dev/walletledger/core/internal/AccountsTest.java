package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.HistoryItem;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletKind;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Accounts through the whole engine, through its one seam for them ({@link Accounts}): carol's bonus lands in
 * her free lot, and every lot counts toward the balance. Postings, mirrors,
 * reads, balances and the audit all follow it; and an account created while a writer waits for the wallet is
 * seen by that writer.
 */
class AccountsTest {
    private static final long WAIT_MILLIS = 30_000;

    /** The engine's rule: carol's bonus lands in her free lot, and every lot counts. */
    private static final Accounts SECOND = Accounts.LOTS;

    private final TestLedger t = TestDatabase.newLedger();
    private final Engine engine = new Engine(t.dataSource(), null, t.config(), Ledger.REPLICA_WAIT_MILLIS_MAX, SECOND);

    @AfterEach
    void close() {
        engine.close();
        t.close();
    }

    private TransactionResult apply(Operation operation) {
        Outcome outcome = engine.apply(operation, null);
        if (outcome instanceof Outcome.Refused refused) {
            throw refused.error();
        }
        return ((Outcome.Applied) outcome).result();
    }

    @Test
    void aSecondAccountIsPostedToMirroredReadAndAudited() {
        TransactionResult topUp = apply(Operation.bonus("carol", "GOLD_COINS", 100, "a-1"));
        Entry credited = topUp.subject();
        assertEquals("free", credited.account());
        assertEquals(OptionalLong.of(100), credited.balanceAfter());
        assertEquals(100, topUp.balanceAfter(), "the rule counts the second account toward carol's balance");

        TransactionResult reversal =
                apply(new Operation.Reversal(topUp.transactionId(), "a-2", OptionalLong.of(40), "part", null));
        Entry mirrored = reversal.entries().stream()
                .filter(e -> e.walletKind() == WalletKind.USER)
                .findFirst()
                .orElseThrow();
        assertEquals("free", mirrored.account(), "the reversal takes back from the lot it credited");
        assertEquals(Direction.DEBIT, mirrored.direction());
        assertEquals(60, reversal.balanceAfter());

        TransactionResult read = engine.transaction(reversal.transactionId()).orElseThrow();
        assertEquals(reversal.entries(), read.entries(), "a read gives the accounts the write posted to");
        assertEquals(reversal.balances(), read.balances(), "and the same balances, main included (0)");
        assertEquals(60, engine.balance("carol", "GOLD_COINS").balance());
        List<HistoryItem> history =
                engine.history("carol", "GOLD_COINS", null, 10).items();
        assertEquals(
                List.of("free", "free"),
                history.stream().map(HistoryItem::account).toList());

        AuditReport report = engine.verify(null, AuditProgress.NONE);
        assertTrue(report.consistent(), report.violations().toString());
        assertEquals(2, accountsCounted("carol"), "the main account counts main and second");
    }

    /**
     * The writer waits for carol's main account; meanwhile another transaction creates a third account and
     * credits it, then commits. The waiting writer's statement cannot see that account (its snapshot is older),
     * the main account's count says one is missing, and the writer reads the wallet's accounts again: its answer
     * counts the new account's coins.
     */
    @Test
    void anAccountCreatedWhileAWriterWaitsIsSeenByIt() throws Exception {
        apply(Operation.bonus("carol", "GOLD_COINS", 100, "b-1")); // main (0) and free (100)
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection other = TestDatabase.superuser()) {
            other.setAutoCommit(false);
            String s = t.schema();
            try (Statement statement = other.createStatement()) {
                statement.execute("SELECT 1 FROM " + s + ".wallets WHERE owner_id = 'carol' AND account = 'main'"
                        + " FOR UPDATE");
            }
            Future<TransactionResult> waiting =
                    pool.submit(() -> apply(Operation.topUp("carol", "GOLD_COINS", 10, "b-2")));
            waitFor(() -> lockWaiters() == 1, "the writer to wait for carol's main account");
            try (Statement statement = other.createStatement()) {
                statement.execute("""
                        INSERT INTO {s}.wallets (kind, owner_id, asset_id, account, balance)
                        SELECT 'USER', 'carol', asset_id, 'paid_20991231t000000z', 0 FROM {s}.wallets
                         WHERE owner_id = 'carol' AND account = 'main';
                        INSERT INTO {s}.ledger_references (reference_id) VALUES ('hand-third');
                        WITH w AS (SELECT id, asset_id FROM {s}.wallets WHERE owner_id = 'carol' AND account = 'paid_20991231t000000z'),
                             treasury AS (SELECT s.id FROM {s}.wallets s, w
                                           WHERE s.kind = 'SYSTEM' AND s.owner_id = 'TREASURY' AND s.asset_id = w.asset_id),
                             b AS (UPDATE {s}.wallets SET balance = 50, chain_head = decode(repeat('ab', 32), 'hex'),
                                          last_entry_at = now()
                                    WHERE id = (SELECT id FROM w)),
                             t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, asset_id, amount,
                                          request, fingerprint, created_at)
                                   SELECT '00000000-0000-7000-8000-00000000000c', 'TOPUP', 'hand-third', w.asset_id,
                                          50, '{}', decode(repeat('00', 32), 'hex'), now() FROM w),
                             ev AS (INSERT INTO {s}.ledger_events (transaction_id, type, created_at)
                                    VALUES ('00000000-0000-7000-8000-00000000000c', 'transaction.topup', now()))
                        INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after,
                                    chain_hash)
                        SELECT '00000000-0000-7000-8000-00000000000c'::uuid, (SELECT id FROM w), 'CREDIT', 50, 50,
                               decode(repeat('ab', 32), 'hex')
                        UNION ALL
                        SELECT '00000000-0000-7000-8000-00000000000c'::uuid, (SELECT id FROM treasury), 'DEBIT', 50,
                               NULL, NULL
                        """.replace("{s}", s));
            }
            other.commit();
            TransactionResult result = waiting.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(
                    160,
                    result.balanceAfter(),
                    "free (100), main (10) and the lot created meanwhile (50); without the second look: 110");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, accountsCounted("carol"));
        AuditReport report = engine.verify(null, AuditProgress.NONE);
        assertEquals(
                Set.of(AuditCheck.HASH_CHAIN), report.counts().keySet(), "only the hand-written transaction's chain");
    }

    private int accountsCounted(String owner) {
        try (Connection c = TestDatabase.superuser();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT accounts FROM " + t.schema() + ".wallets WHERE owner_id = '"
                        + owner + "' AND account = 'main'")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int lockWaiters() {
        try (Connection c = TestDatabase.superuser();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
