package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the database itself refuses, whatever the Java code does: tested as the superuser. */
class SchemaTest {
    static TestLedger t;
    static String s;
    static TransactionResult topUp;

    @BeforeAll
    static void setUp() {
        t = TestDatabase.newLedger();
        s = t.schema();
        topUp = t.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 1_000, "schema-topup"));
    }

    @AfterAll
    static void tearDown() {
        t.close();
    }

    @Test
    void migrationsAreRerunnableAndSeedAssetsWithSystemWallets() throws SQLException {
        assertEquals(0, Ledger.migrate(t.dataSource(), t.config()), "a second run applies nothing");
        assertEquals(
                List.of("DIAMONDS", "GOLD_COINS", "LOYALTY_POINTS"),
                t.ledger().assets().stream().map(Asset::code).toList());
        assertEquals(9, count("SELECT count(*) FROM " + s + ".wallets WHERE kind = 'SYSTEM'"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPDATE {s}.ledger_entries SET amount = amount + 1",
                "DELETE FROM {s}.ledger_entries",
                "TRUNCATE {s}.ledger_entries CASCADE",
                "UPDATE {s}.ledger_transactions SET amount = 1",
                "DELETE FROM {s}.ledger_transactions",
                "TRUNCATE {s}.ledger_transactions CASCADE",
                "DELETE FROM {s}.wallets WHERE kind = 'USER'",
                "UPDATE {s}.wallets SET owner_id = 'mallory' WHERE owner_id = 'alice'",
                "UPDATE {s}.asset_types SET decimal_places = 2 WHERE code = 'GOLD_COINS'",
                "DELETE FROM {s}.asset_types WHERE code = 'DIAMONDS'",
            })
    void ledgerIsAppendOnlyEvenInReplicaMode(String sql) throws SQLException {
        for (String role : List.of("origin", "replica")) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> superuser("SET session_replication_role = " + role + "; " + sql.replace("{s}", s)));
            assertEquals("WL001", e.getSQLState(), role + ": " + e.getMessage());
        }
        assertEquals(2, count("SELECT count(*) FROM " + s + ".ledger_entries"));
    }

    @Test
    void unbalancedOrMisshapenTransactionsAreRefused() {
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        // one-sided: credit without the matching debit
        assertRefused(
                "WL002",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000001",
                        "TOPUP",
                        alice,
                        10,
                        "(%1$s, 'CREDIT', 10, 1010)".formatted(alice)));
        // debits and credits differ
        assertRefused(
                "WL002",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000002",
                        "TOPUP",
                        alice,
                        10,
                        "(%1$s, 'CREDIT', 10, 1010), (%2$s, 'DEBIT', 9, NULL)".formatted(alice, treasury)));
        // balanced, but a bonus paid from the TREASURY instead of the BONUS_POOL
        assertRefused(
                "WL002",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000003",
                        "BONUS",
                        alice,
                        10,
                        "(%1$s, 'CREDIT', 10, 1010), (%2$s, 'DEBIT', 10, NULL)".formatted(alice, treasury)));
        // balanced, but balance_after does not continue the chain
        assertRefused(
                "WL002",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000004",
                        "TOPUP",
                        alice,
                        10,
                        "(%1$s, 'CREDIT', 10, 5000), (%2$s, 'DEBIT', 10, NULL)".formatted(alice, treasury)));
    }

    @Test
    void aBalanceChangeWithoutEntriesIsRefused() {
        assertRefused("WL002", "UPDATE " + s + ".wallets SET balance = balance + 1 WHERE owner_id = 'alice'");
    }

    @Test
    void negativeUserBalancesAndBadAmountsAreRefused() {
        assertRefused("23514", "UPDATE " + s + ".wallets SET balance = -1 WHERE owner_id = 'alice'");
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        assertRefused(
                "23514",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000005",
                        "TOPUP",
                        alice,
                        0,
                        "(%1$s, 'CREDIT', 0, 1000), (%2$s, 'DEBIT', 0, NULL)".formatted(alice, treasury)));
    }

    @Test
    void aWellFormedHandWrittenTransactionIsAcceptedButNotOnTheChain() throws SQLException {
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        superuser(insertTransaction(
                "00000000-0000-7000-8000-000000000009",
                "TOPUP",
                alice,
                10,
                "(%1$s, 'CREDIT', 10, 1010), (%2$s, 'DEBIT', 10, NULL)".formatted(alice, treasury)));
        assertEquals(1_010, t.ledger().balance("alice", "GOLD_COINS").balance());
        AuditReport report = t.ledger().verify();
        assertEquals(
                List.of("hash_chain"),
                report.violations().stream().map(AuditReport.Violation::check).toList(),
                "the double-entry checks pass; only the hash chain shows it was not written by the ledger");
    }

    @Test
    void aChainHeadNotMatchingTheLatestTransactionIsRefused() throws SQLException {
        assertRefused(
                "WL002",
                "UPDATE " + s + ".wallets SET chain_head = decode(repeat('cd', 32), 'hex')"
                        + " WHERE owner_id = 'alice'");
    }

    @Test
    void timeCannotRunBackwardsAlongAWallet() {
        assertRefused(
                "WL002",
                "UPDATE " + s + ".wallets SET last_entry_at = last_entry_at - interval '1 second'"
                        + " WHERE owner_id = 'alice'");
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        // a well-formed transaction dated before the wallet's latest entry
        assertRefused(
                "WL002",
                insertTransaction(
                        "00000000-0000-7000-8000-000000000006",
                        "TOPUP",
                        alice,
                        10,
                        "(%1$s, 'CREDIT', 10, 1010), (%2$s, 'DEBIT', 10, NULL)".formatted(alice, treasury),
                        "now() - interval '1 day'"));
    }

    @Test
    void anEntryWhoseWalletDoesNotMoveWithItIsRefused() {
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        assertRefused("WL002", """
                WITH t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, user_wallet_id, asset_id,
                                       amount, fingerprint, chain_hash, created_at)
                           SELECT '00000000-0000-7000-8000-000000000007', 'TOPUP', 'hand-7', %1$d, w.asset_id, 10,
                                  decode(repeat('00', 32), 'hex'), decode(repeat('ab', 32), 'hex'), now()
                             FROM {s}.wallets w WHERE w.id = %1$d)
                INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after)
                VALUES ('00000000-0000-7000-8000-000000000007', %1$d, 'CREDIT', 10, 1010),
                       ('00000000-0000-7000-8000-000000000007', %2$d, 'DEBIT', 10, NULL)
                """.formatted(alice, treasury).replace("{s}", s));
    }

    /** One statement inserting a transaction, its entries and the wallet's new balance, as the engine does. */
    private String insertTransaction(String id, String type, long userWallet, long amount, String entries) {
        return insertTransaction(id, type, userWallet, amount, entries, "now()");
    }

    private String insertTransaction(String id, String type, long userWallet, long amount, String entries, String at) {
        return """
                WITH b AS (UPDATE {s}.wallets SET balance = balance + %4$d, chain_head = decode(repeat('ab', 32), 'hex'),
                                   last_entry_at = %6$s
                            WHERE id = %3$d),
                     t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, user_wallet_id, asset_id,
                                       amount, fingerprint, chain_hash, created_at)
                           SELECT '%1$s', '%2$s', 'hand-%1$s', %3$d, w.asset_id, %4$d, decode(repeat('00', 32), 'hex'),
                                  decode(repeat('ab', 32), 'hex'), %6$s
                             FROM {s}.wallets w WHERE w.id = %3$d)
                INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after)
                SELECT '%1$s'::uuid, v.* FROM (VALUES %5$s) AS v(wallet_id, direction, amount, balance_after)
                """.formatted(id, type, userWallet, amount, entries, at).replace("{s}", s);
    }

    private static void assertRefused(String sqlState, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> superuser(sql));
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
    }

    /** Runs the SQL as the superuser in its own transaction (so deferred checks run at its commit). */
    private static void superuser(String sql) throws SQLException {
        try (Connection connection = TestDatabase.superuser()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestDatabase.superuser();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
