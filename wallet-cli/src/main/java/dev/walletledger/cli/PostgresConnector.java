package dev.walletledger.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.WalletException;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Opens the real database with the shared runtime: a pool on {@code --database-url}/{@code DATABASE_URL},
 * else the embedded PostgreSQL in the data directory (attached to when the server runs it, else started
 * for this command and stopped after it).
 */
final class PostgresConnector implements Database.Connector {
    /** A command runs one ledger call at a time; the second connection serves the schema check and Flyway. */
    private static final int POOL_SIZE = 2;

    private final PrintStream notices;

    PostgresConnector(PrintStream notices) {
        this.notices = notices;
    }

    @Override
    public Database connect(Database.Target target) {
        LedgerConfig config = LedgerConfig.defaults().withSchema(target.schema());
        if (target.databaseUrl().isPresent()) {
            DatabaseUrl url;
            try {
                url = DatabaseUrl.parse(target.databaseUrl().get(), target.databaseUrlFrom());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage()); // never echoes the password
            }
            return open(
                    commandPool(url.jdbcUrl(), url.user(), url.password(), url.jdbcUrl()),
                    null,
                    url,
                    config,
                    url.jdbcUrl(),
                    target.creating());
        }
        if (!target.creating() && !Files.isDirectory(target.dataDirectory())) {
            throw new CommandFailure(
                    FailureCode.LEDGER_NOT_FOUND,
                    "no ledger in "
                            + target.dataDirectory().toAbsolutePath().normalize()
                            + ": give --database-url (or DATABASE_URL) or --data-dir, or create it with wallet migrate",
                    Map.of("data_directory", target.dataDirectory().toString()));
        }
        EmbeddedDatabase embedded;
        try {
            embedded = EmbeddedDatabase.startOrAttach(
                    target.dataDirectory(), notice -> notices.println("wallet: " + notice));
        } catch (IllegalStateException | UncheckedIOException e) {
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE,
                    e.getMessage(),
                    Map.of("data_directory", target.dataDirectory().toString()),
                    e);
        }
        String where = "embedded PostgreSQL in " + embedded.directory();
        HikariDataSource pool;
        try {
            pool = commandPool(embedded.jdbcUrl(), embedded.user(), embedded.password(), where);
        } catch (WalletException e) {
            embedded.close();
            throw e;
        }
        return open(pool, embedded, null, config, where, target.creating());
    }

    /**
     * A pool that connects at once: a database that cannot be reached fails the command after one attempt (a
     * refused connection at once, a silent host within the driver's connect timeout), with the driver's own
     * words and nothing else.
     */
    private static HikariDataSource commandPool(String jdbcUrl, String user, String password, String where) {
        try {
            return DataSources.commandPool(jdbcUrl, user, password, POOL_SIZE, "wallet-cli");
        } catch (RuntimeException e) {
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE,
                    "the database cannot be reached (" + where + "): " + rootMessage(e),
                    Map.of(),
                    e);
        }
    }

    /** The innermost message of a failure (the driver's or the socket's): what an operator acts on. */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && depth < 10; depth++) {
            root = root.getCause();
            if (root instanceof java.sql.SQLException) {
                break; // the driver's words already name the host and what happened
            }
        }
        return String.valueOf(root.getMessage());
    }

    private static Database open(
            HikariDataSource pool,
            EmbeddedDatabase embedded,
            DatabaseUrl url,
            LedgerConfig config,
            String where,
            boolean creating) {
        Opened database =
                new Opened(pool, embedded, url, new Ledger(pool, config), where + " (schema " + config.schema() + ")");
        try {
            if (!creating && !migrated(pool, config.schema())) {
                throw new CommandFailure(
                        FailureCode.LEDGER_NOT_FOUND,
                        "schema " + config.schema() + " holds no ledger in " + where
                                + "; create it with wallet migrate",
                        Map.of("schema", config.schema()));
            }
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Whether the schema has the ledger's tables: a fresh database is reported as such, not as a SQL error. */
    private static boolean migrated(HikariDataSource pool, String schema) {
        try (Connection connection = pool.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            statement.setString(1, schema + ".ledger_entries");
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE, "the database cannot be reached: " + rootMessage(e), Map.of(), e);
        }
    }

    private record Opened(
            HikariDataSource pool,
            EmbeddedDatabase embeddedDatabase,
            DatabaseUrl databaseUrl,
            Ledger ledger,
            String description)
            implements Database {
        @Override
        public javax.sql.DataSource dataSource() {
            return pool;
        }

        @Override
        public java.util.Optional<EmbeddedDatabase> embedded() {
            return java.util.Optional.ofNullable(embeddedDatabase);
        }

        @Override
        public java.util.Optional<DatabaseUrl> url() {
            return java.util.Optional.ofNullable(databaseUrl);
        }

        @Override
        public int migrate() {
            return Ledger.migrate(pool, ledger.config());
        }

        @Override
        public void close() {
            ledger.close();
            pool.close();
            if (embeddedDatabase != null) {
                embeddedDatabase.close();
            }
        }
    }
}
