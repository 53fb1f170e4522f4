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
    void migrationsAreRerunnableAndEveryAssetComesWithItsSystemWallets() throws SQLException {
        assertEquals(0, Ledger.migrate(t.dataSource(), t.config()), "a second run applies nothing");
        assertEquals(
                List.of("DIAMONDS", "GOLD_COINS", "LOYALTY_POINTS"),
                t.ledger().assets().stream().map(Asset::code).toList());
        assertEquals(
                3 * SystemWallet.values().length,
                count("SELECT count(*) FROM " + s + ".wallets WHERE kind = 'SYSTEM'"));
    }

    @Test
    void theMigrationItselfCreatesNoAsset() throws SQLException {
        String schema = TestDatabase.newSchemaName();
        try (var pool = TestDatabase.pool(2)) {
            Ledger.migrate(pool, LedgerConfig.defaults().withSchema(schema));
        }
        assertEquals(0, count("SELECT count(*) FROM " + schema + ".asset_types"));
        assertEquals(0, count("SELECT count(*) FROM " + schema + ".wallets"));
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
        // balanced, but a bonus paid from the TREASURY instead of the BONUS_POOL (a type's system wallets)
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
    void aDebitBelowZeroIsRefusedOutsideADebtChargeback() throws SQLException {
        long alice = topUp.entries().get(0).walletId();
        long revenue = systemWallet("REVENUE");
        String overdraw = "(%1$s, 'DEBIT', 1500, -500), (%2$s, 'CREDIT', 1500, NULL)";
        assertRefused(
                "WL002",
                insert(
                        "00000000-0000-7000-8000-000000000011",
                        "SPEND",
                        alice,
                        -1500,
                        1500,
                        overdraw.formatted(alice, revenue),
                        "now()",
                        "NULL",
                        "{}"));
    }

    @Test
    void takingBackMoreThanATransactionIsRefused() throws SQLException {
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        String reverses = "'" + topUp.transactionId() + "'";
        assertRefused( // the top-up moved 1000
                "WL002",
                insert(
                        "00000000-0000-7000-8000-000000000013",
                        "CHARGEBACK",
                        alice,
                        -1001,
                        1001,
                        "(%1$s, 'DEBIT', 1001, -1), (%2$s, 'CREDIT', 1001, NULL)".formatted(alice, treasury),
                        "now()",
                        reverses,
                        "{\"policy\": \"debt\"}"));
        assertRefused( // a zero posting outside a chargeback
                "WL002",
                insert(
                        "00000000-0000-7000-8000-000000000014",
                        "SPEND",
                        alice,
                        0,
                        1,
                        "(%1$s, 'DEBIT', 0, 1000), (%2$s, 'CREDIT', 1, NULL), (%3$s, 'DEBIT', 1, NULL)"
                                .formatted(alice, systemWallet("REVENUE"), treasury),
                        "now()",
                        "NULL",
                        "{}"));
    }

    @Test
    void aWalletTwiceInOneTransactionIsRefused() {
        long alice = topUp.entries().get(0).walletId();
        assertRefused(
                "23505",
                insert(
                        "00000000-0000-7000-8000-000000000016",
                        "TRANSFER",
                        alice,
                        0,
                        5,
                        "(%1$s, 'DEBIT', 5, 995), (%1$s, 'CREDIT', 5, 1000)".formatted(alice),
                        "now()",
                        "NULL",
                        "{}"));
    }

    private static long systemWallet(String role) throws SQLException {
        return count("SELECT w.id FROM " + s + ".wallets w JOIN " + s + ".asset_types a ON a.id = w.asset_id"
                + " WHERE a.code = 'GOLD_COINS' AND w.kind = 'SYSTEM' AND w.owner_id = '" + role + "'");
    }

    @Test
    void aBalanceChangeWithoutEntriesIsRefused() {
        assertRefused("WL002", "UPDATE " + s + ".wallets SET balance = balance + 1 WHERE owner_id = 'alice'");
    }

    @Test
    void negativeUserBalancesAndBadAmountsAreRefused() {
        assertRefused("WL002", "UPDATE " + s + ".wallets SET balance = -1 WHERE owner_id = 'alice'");
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

    /** V3: an outcome only under a reference bound in the same transaction, one outcome per reference. */
    @Test
    void everyOutcomeNeedsItsReferenceBoundAndHasItAlone() throws SQLException {
        long before = t.ledger().balance("alice", "GOLD_COINS").balance();
        long alice = topUp.entries().get(0).walletId();
        long treasury = topUp.entries().get(1).walletId();
        String transaction = insertTransaction(
                "00000000-0000-7000-8000-0000000000b1",
                "TOPUP",
                alice,
                10,
                "(%1$s, 'CREDIT', 10, %3$d), (%2$s, 'DEBIT', 10, NULL)".formatted(alice, treasury, before + 10));
        String claim = "INSERT INTO " + s + ".ledger_references (reference_id) VALUES"
                + " ('hand-00000000-0000-7000-8000-0000000000b1');";
        assertRefused("WL002", transaction.replace(claim, "")); // not bound
        assertRefused("WL002", refusal("unbound-refusal")); // not bound
        assertRefused("WL002", refusal(topUp.referenceId())); // bound to a transaction already
        assertRefused( // a transaction and a refusal under one reference
                "WL002", transaction + ";\n" + refusal("hand-00000000-0000-7000-8000-0000000000b1"));
        assertRefused("23505", claimOf(topUp.referenceId())); // bound once
        assertEquals(before, t.ledger().balance("alice", "GOLD_COINS").balance());

        assertThrows(
                WalletException.class,
                () -> t.ledger().spend(Operation.spend("alice", "GOLD_COINS", 5_000, "schema-refused")));
        for (String change : List.of(
                "UPDATE {s}.ledger_references SET reference_id = 'x' WHERE reference_id = 'schema-refused'",
                "DELETE FROM {s}.ledger_references",
                "TRUNCATE {s}.ledger_references CASCADE",
                "UPDATE {s}.ledger_refusals SET error_code = 'BUSY'",
                "DELETE FROM {s}.ledger_refusals",
                "TRUNCATE {s}.ledger_refusals CASCADE")) {
            for (String role : List.of("origin", "replica")) {
                SQLException e = assertThrows(
                        SQLException.class,
                        () -> superuser("SET session_replication_role = " + role + "; " + change.replace("{s}", s)));
                assertEquals("WL001", e.getSQLState(), role + ": " + change + ": " + e.getMessage());
            }
        }
        assertEquals(1, count("SELECT count(*) FROM " + s + ".ledger_refusals WHERE reference_id = 'schema-refused'"));
    }

    private static String claimOf(String reference) {
        return "INSERT INTO " + s + ".ledger_references (reference_id) VALUES ('" + reference + "');";
    }

    /** A refusal row under {@code reference}, well formed but for its binding. */
    private static String refusal(String reference) {
        return ("INSERT INTO {s}.ledger_refusals (reference_id, type, request, fingerprint, error_code, error_message,"
                        + " created_at) VALUES ('" + reference + "', 'SPEND', '{}', decode(repeat('00', 32), 'hex'),"
                        + " 'INSUFFICIENT_FUNDS', 'by hand', now())")
                .replace("{s}", s);
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
                report.violations().stream().map(v -> v.check().wireName()).toList(),
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
                INSERT INTO {s}.ledger_references (reference_id) VALUES ('hand-7');
                WITH t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, asset_id,
                                       amount, request, fingerprint, created_at)
                           SELECT '00000000-0000-7000-8000-000000000007', 'TOPUP', 'hand-7', w.asset_id, 10, '{}',
                                  decode(repeat('00', 32), 'hex'), now()
                             FROM {s}.wallets w WHERE w.id = %1$d)
                INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after, chain_hash)
                VALUES ('00000000-0000-7000-8000-000000000007', %1$d, 'CREDIT', 10, 1010, decode(repeat('ab', 32), 'hex')),
                       ('00000000-0000-7000-8000-000000000007', %2$d, 'DEBIT', 10, NULL, NULL)
                """.formatted(alice, treasury).replace("{s}", s));
    }

    /** One statement inserting a transaction, its entries and the wallet's new balance, as the engine does. */
    private String insertTransaction(String id, String type, long userWallet, long amount, String entries) {
        return insertTransaction(id, type, userWallet, amount, entries, "now()");
    }

    private String insertTransaction(String id, String type, long userWallet, long amount, String entries, String at) {
        return insert(id, type, userWallet, amount, amount, entries, at, "NULL", "{}");
    }

    /** As above; {@code delta} moves the user's wallet, {@code amount} is the transaction's. */
    private String insert(
            String id,
            String type,
            long userWallet,
            long delta,
            long amount,
            String entries,
            String at,
            String reverses,
            String request) {
        return """
                INSERT INTO {s}.ledger_references (reference_id) VALUES ('hand-%1$s');
                WITH b AS (UPDATE {s}.wallets SET balance = balance + %7$d, chain_head = decode(repeat('ab', 32), 'hex'),
                                   last_entry_at = %6$s
                            WHERE id = %3$d),
                     t AS (INSERT INTO {s}.ledger_transactions (id, type, reference_id, asset_id,
                                       amount, request, fingerprint, created_at, reverses)
                           SELECT '%1$s', '%2$s', 'hand-%1$s', w.asset_id, %4$d, '%9$s', decode(repeat('00', 32), 'hex'),
                                  %6$s, %8$s
                             FROM {s}.wallets w WHERE w.id = %3$d),
                     ev AS (INSERT INTO {s}.ledger_events (transaction_id, type, created_at)
                            VALUES ('%1$s', {s}.event_type('%2$s'), %6$s))
                INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after, chain_hash)
                SELECT '%1$s'::uuid, v.*, CASE WHEN v.balance_after IS NULL THEN NULL ELSE decode(repeat('ab', 32), 'hex') END
                  FROM (VALUES %5$s) AS v(wallet_id, direction, amount, balance_after)
                """.formatted(id, type, userWallet, amount, entries, at, delta, reverses, request)
                .replace("{s}", s);
    }

    private static void assertRefused(String sqlState, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> superuser(sql));
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
    }

    /** Runs the SQL as the superuser in its own transaction (so deferred checks run at its commit). */
    static void superuser(String sql) throws SQLException {
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
