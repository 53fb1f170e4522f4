package dev.walletledger.http.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Operation;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's least-privilege setup, run for real: an owning role that runs the migrations and an
 * application role that can append to the ledger and read it, but not rewrite it. The app role is
 * refused by privileges (SQLSTATE 42501); the owner, who has every privilege, by the append-only
 * triggers (WL001), which it cannot switch off with {@code session_replication_role} either.
 */
class LeastPrivilegeDatabaseTest {
    /** Run by a superuser before the first migration; the README shows it with these names. */
    static final String BEFORE_MIGRATIONS = """
            CREATE ROLE wallet_owner LOGIN PASSWORD 'change-me-owner';
            CREATE ROLE wallet_app LOGIN PASSWORD 'change-me-app';
            CREATE SCHEMA wallet AUTHORIZATION wallet_owner;
            GRANT USAGE ON SCHEMA wallet TO wallet_app;
            ALTER DEFAULT PRIVILEGES FOR ROLE wallet_owner IN SCHEMA wallet GRANT SELECT, INSERT ON TABLES TO wallet_app;
            """;
    /** Run by the owner after migrating: the engine's UPDATEs are of these columns (a wallet's, a hold's). */
    static final String AFTER_MIGRATIONS = """
            GRANT UPDATE (balance, chain_head, last_entry_at, status, max_balance, daily_spend_limit, spent_on, spent, control_id) ON wallet.wallets TO wallet_app;
            GRANT UPDATE (position) ON wallet.ledger_events TO wallet_app;
            GRANT UPDATE (placed) ON wallet.ledger_event_sequencer TO wallet_app;
            GRANT UPDATE (captured, released, status, closed_at) ON wallet.ledger_holds TO wallet_app;
            GRANT UPDATE (status, delivered, lease_owner, lease_expires_at, attempts, retrying_since, next_attempt_at, failing_since, last_error, last_status, removed_at, removed_by, resumed_at, resumed_by) ON wallet.webhook_subscriptions TO wallet_app;
            REVOKE INSERT ON wallet.flyway_schema_history FROM wallet_app;
            """;

    private static final String SUFFIX = "_" + ProcessHandle.current().pid();
    private static final String OWNER = "wallet_owner" + SUFFIX;
    private static final String APP = "wallet_app" + SUFFIX;
    private static final String SCHEMA = TestDatabase.SCHEMA_PREFIX + "least_privilege" + SUFFIX;
    private static final String[] LEDGER_TABLES = {"ledger_entries", "ledger_transactions"};

    private static HikariDataSource ownerPool;
    private static HikariDataSource appPool;
    private static Ledger ledger;

    /** The README's SQL with this run's role and schema names (roles are global to the cluster). */
    private static String names(String sql) {
        return sql.replace("wallet_owner", OWNER)
                .replace("wallet_app", APP)
                .replace("SCHEMA wallet ", "SCHEMA " + SCHEMA + " ")
                .replace("wallet.", SCHEMA + ".");
    }

    @BeforeAll
    static void setUp() throws SQLException {
        TestDatabase.execute(names(BEFORE_MIGRATIONS));
        LedgerConfig config = LedgerConfig.defaults().withSchema(SCHEMA);
        ownerPool = DataSources.pool(url(), OWNER, "change-me-owner", 2, "owner");
        Ledger.migrate(ownerPool, config);
        try (Ledger owner = new Ledger(ownerPool, config)) { // as the server does with its migration URL
            Asset.STARTERS.forEach(owner::addAsset);
        }
        execute(ownerPool, names(AFTER_MIGRATIONS));
        appPool = DataSources.pool(url(), APP, "change-me-app", 4, "app");
        ledger = new Ledger(appPool, config);
    }

    @AfterAll
    static void tearDown() throws SQLException {
        if (ledger != null) {
            ledger.close();
        }
        for (HikariDataSource pool : new HikariDataSource[] {appPool, ownerPool}) {
            if (pool != null) {
                pool.close();
            }
        }
        TestDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE; DROP OWNED BY " + APP + ", " + OWNER
                + "; DROP ROLE IF EXISTS " + APP + "; DROP ROLE IF EXISTS " + OWNER);
    }

    /** Without the {@code user=} the harness's URL carries: the pool's own user must be the one used. */
    private static String url() {
        return TestDatabase.target().jdbcUrl();
    }

    @Test
    void theReadmeShowsThisSql() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (String statement : (BEFORE_MIGRATIONS + AFTER_MIGRATIONS).split("\n")) {
            assertTrue(readme.contains(statement), "README.md lacks: " + statement);
        }
    }

    @Test
    void theAppRoleRunsTheLedger() throws SQLException {
        assertEquals(APP, query(appPool, "SELECT current_user"));
        ledger.topUp(Operation.topUp("alice", "GOLD_COINS", 1_000, "lp-topup"));
        ledger.grantBonus(Operation.bonus("alice", "GOLD_COINS", 50, "lp-bonus"));
        ledger.spend(Operation.spend("alice", "GOLD_COINS", 300, "lp-spend"));
        assertEquals(750, ledger.balance("alice", "GOLD_COINS").balance());
        assertTrue(ledger.topUp(Operation.topUp("alice", "GOLD_COINS", 1_000, "lp-topup"))
                .replayed());
        // The spend took the 50 free coins first, then 250 paid: one entry per lot.
        assertEquals(4, ledger.history("alice", "GOLD_COINS", null, 10).items().size());
        // The reads of the past need nothing more: pg_locks (to wait for writers in flight) is readable by all.
        java.time.Instant now =
                ledger.history("alice", "GOLD_COINS", null, 1).items().get(0).createdAt();
        assertEquals(750, ledger.balanceAt("alice", "GOLD_COINS", now).balance());
        assertEquals(
                750,
                ledger.outstanding(now, java.util.Optional.of("GOLD_COINS"))
                        .assets()
                        .get(0)
                        .paid());
        assertEquals(
                750,
                ledger.activity(now.minusSeconds(60), now, java.util.Optional.of("GOLD_COINS"))
                        .assets()
                        .get(0)
                        .paid()
                        .closing());
        assertTrue(ledger.verify().consistent());
        assertTrue(ledger.healthy());
    }

    @Test
    void theAppRoleRunsWebhooks() {
        ledger.topUp(
                Operation.topUp("webhook-user", "DIAMONDS", 10, "lp-webhook-topup")); // not GOLD_COINS: totals asserted
        dev.walletledger.core.Webhook added = ledger.addWebhook(
                new dev.walletledger.core.WebhookRequest(
                        "https://203.0.113.10/hook",
                        java.util.Set.of(),
                        java.util.Optional.empty(),
                        java.util.Optional.of("0")),
                "lp");
        dev.walletledger.core.WebhookDeliveries deliveries = ledger.webhookDeliveries(java.util.UUID.randomUUID());
        List<dev.walletledger.core.WebhookLease> leased = deliveries.lease(10, 60_000, ledger.eventsEnd());
        assertEquals(
                List.of(added.id()),
                leased.stream().map(dev.walletledger.core.WebhookLease::id).toList());
        assertTrue(deliveries.renew(added.id(), 60_000));
        assertTrue(deliveries.advance(added.id(), "0", "1"));
        assertEquals(
                java.util.Optional.of(dev.walletledger.core.Webhook.Status.FAILING),
                deliveries.failed(added.id(), "HTTP 500", java.util.OptionalInt.of(500), 10, 0));
        assertEquals(
                dev.walletledger.core.Webhook.Status.ACTIVE,
                ledger.resumeWebhook(added.id(), "lp").status());
        assertEquals(
                dev.walletledger.core.Webhook.Status.REMOVED,
                ledger.removeWebhook(added.id(), "lp").status());
    }

    @Test
    void theAppRoleCannotRewriteTheLedger() throws SQLException {
        ledger.topUp(Operation.topUp("bob", "GOLD_COINS", 100, "lp-bob"));
        List<String> statements = new ArrayList<>();
        for (String table : LEDGER_TABLES) {
            statements.add("UPDATE " + SCHEMA + "." + table + " SET amount = amount + 1");
            statements.add("DELETE FROM " + SCHEMA + "." + table);
            statements.add("TRUNCATE " + SCHEMA + "." + table + " CASCADE");
        }
        statements.add("UPDATE " + SCHEMA + ".wallets SET owner_id = 'mallory'");
        statements.add("UPDATE " + SCHEMA + ".ledger_holds SET amount = amount + 1");
        statements.add("DELETE FROM " + SCHEMA + ".wallets");
        statements.add("TRUNCATE " + SCHEMA + ".wallets CASCADE");
        statements.add("UPDATE " + SCHEMA + ".asset_types SET decimal_places = 2");
        statements.add("DROP TABLE " + SCHEMA + ".ledger_entries");
        statements.add("ALTER TABLE " + SCHEMA + ".ledger_entries DISABLE TRIGGER ALL");
        statements.add("INSERT INTO " + SCHEMA + ".flyway_schema_history (installed_rank, description, type, script, "
                + "installed_by, execution_time, success) VALUES (999, 'x', 'SQL', 'x', 'x', 0, true)");
        statements.add("SET session_replication_role = replica");
        for (String sql : statements) {
            assertEquals("42501", sqlState(appPool, sql), "app role: " + sql);
        }
        // The one column it may update is still checked against the entries, at commit.
        String forged = sqlState(
                appPool, "UPDATE " + SCHEMA + ".wallets SET balance = balance + 1000000 " + "WHERE owner_id = 'bob'");
        assertTrue(forged.startsWith("WL"), "a forged balance must be refused by the ledger's triggers: " + forged);
        assertEquals(100, ledger.balance("bob", "GOLD_COINS").balance());
    }

    @Test
    void theOwnerIsRefusedByTheAppendOnlyTriggers() throws SQLException {
        ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 100, "lp-carol"));
        for (String table : LEDGER_TABLES) {
            for (String sql : new String[] {
                "UPDATE " + SCHEMA + "." + table + " SET amount = amount + 1",
                "DELETE FROM " + SCHEMA + "." + table,
                "TRUNCATE " + SCHEMA + "." + table + " CASCADE"
            }) {
                assertEquals("WL001", sqlState(ownerPool, sql), "owner: " + sql);
            }
        }
        assertEquals(
                "42501",
                sqlState(ownerPool, "SET session_replication_role = replica"),
                "only a superuser may switch triggers off for a session");
        assertTrue(ledger.verify().consistent());
    }

    /** The SQLSTATE {@code sql} fails with, in a transaction that is rolled back; "none" if it succeeded. */
    private static String sqlState(HikariDataSource pool, String sql) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
                connection.commit(); // deferred constraint triggers fire here
                return "none";
            } catch (SQLException e) {
                connection.rollback();
                return e.getSQLState();
            }
        }
    }

    private static void execute(HikariDataSource pool, String sql) throws SQLException {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String query(HikariDataSource pool, String sql) throws SQLException {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
