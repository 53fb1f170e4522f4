package dev.walletledger.http;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.LedgerListener;
import dev.walletledger.core.WalletException;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.Durability;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar wallet-server.jar}: configuration from the environment, then the database (embedded
 * unless {@code DATABASE_URL}), the durability check, migrations, the ledger and the server. On SIGTERM
 * the same in reverse: stop taking requests, finish those in flight, close the pool, stop PostgreSQL.
 */
public final class Main implements AutoCloseable {
    /** How long startup waits for the database to answer (a compose database may still be starting). */
    private static final long DATABASE_WAIT_MILLIS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private final EmbeddedDatabase embedded;
    private final HikariDataSource pool;
    private final HikariDataSource readPool; // null without WALLET_READ_DATABASE_URL
    private final Ledger ledger;
    private final WalletServer server;

    private Main(
            EmbeddedDatabase embedded,
            HikariDataSource pool,
            HikariDataSource readPool,
            Ledger ledger,
            WalletServer server) {
        this.embedded = embedded;
        this.pool = pool;
        this.readPool = readPool;
        this.ledger = ledger;
        this.server = server;
    }

    public static void main(String[] args) {
        ServerConfig config;
        try {
            config = ServerConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("wallet-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logging.configure(config.logs().level(), config.logs().json());
        try {
            Main main = start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(main::close, "wallet-shutdown"));
        } catch (RuntimeException e) {
            // One line, as for a refused setting: what the operator must act on. The stack trace is for
            // LOG_LEVEL=debug.
            LOG.error("wallet-server could not start: {}", startupFailure(e));
            LOG.debug("the startup failure, in full", e);
            System.exit(1);
        }
    }

    /** The failure's message, with its causes' messages when they add to it (at most 3 deep). */
    static String startupFailure(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !text.toString().contains(message)) {
                text.append(": ").append(message);
            }
        }
        return text.toString().replace('\n', ' ');
    }

    /** Starts everything; on failure, closes what was already started. Tests start servers through it too. */
    public static Main start(ServerConfig config) {
        EmbeddedDatabase embedded = null;
        HikariDataSource pool = null;
        HikariDataSource readPool = null;
        try {
            ServerConfig.Database database = config.database();
            DatabaseUrl url;
            if (database.url().isPresent()) {
                url = database.url().get();
                LOG.info("database {}", url);
            } else {
                LOG.info(
                        "no DATABASE_URL: embedded PostgreSQL in {}",
                        database.dataDirectory().toAbsolutePath());
                embedded = EmbeddedDatabase.startOrAttach(
                        database.dataDirectory(), notice -> LOG.warn("{}", notice), database.walArchive());
                if (database.walArchive().enabled()) {
                    LOG.info(
                            "WAL archiving into {} (at most {} bytes)",
                            database.walArchive().directory(),
                            database.walArchive().maxBytes());
                }
                url = new DatabaseUrl(embedded.jdbcUrl(), embedded.user(), embedded.password());
                LOG.info(
                        "embedded PostgreSQL on port {} ({})",
                        embedded.port(),
                        embedded.startedHere() ? "started here" : "attached to another process's");
            }
            pool = DataSources.pool(url, database.poolSize(), "wallet-http", database.transactionPooler());
            checkDurability(pool, database.allowNonDurable());
            LedgerConfig ledgerConfig = LedgerConfig.defaults()
                    .withSchema(database.schema())
                    .withIsolation(database.isolation())
                    .withListener(new RetryLog());
            if (database.migrate()) {
                migrate(database, pool, ledgerConfig);
            }
            if (database.readUrl().isPresent()) {
                LOG.info(
                        "reads may be served by the replica {}",
                        database.readUrl().get());
                readPool = DataSources.replicaPool(
                        database.readUrl().get(),
                        database.poolSize(),
                        "wallet-http-read",
                        database.transactionPooler());
            }
            Ledger ledger = new Ledger(pool, readPool, ledgerConfig);
            WalletServer server = WalletServer.start(config, ledger, pool);
            return new Main(embedded, pool, readPool, ledger, server);
        } catch (RuntimeException e) {
            if (readPool != null) {
                readPool.close();
            }
            if (pool != null) {
                pool.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /**
     * Runs the migrations as {@code WALLET_MIGRATION_DATABASE_URL}'s role (the schema's owner) when given,
     * so the server itself can run as an application role that cannot alter or rewrite the ledger.
     */
    private static void migrate(ServerConfig.Database database, HikariDataSource pool, LedgerConfig ledgerConfig) {
        if (database.migrationUrl().isEmpty()) {
            int applied = Ledger.migrate(pool, ledgerConfig);
            LOG.info("schema {}: {} migration(s) applied", ledgerConfig.schema(), applied);
            addStarterAssets(database, pool, ledgerConfig);
            return;
        }
        DatabaseUrl owner = database.migrationUrl().get();
        // Two connections: Flyway holds its lock on one while it migrates on the other.
        try (HikariDataSource migrations = DataSources.pool(owner, 2, "wallet-migrations")) {
            int applied = Ledger.migrate(migrations, ledgerConfig);
            LOG.info("schema {}: {} migration(s) applied as {}", ledgerConfig.schema(), applied, owner);
            addStarterAssets(database, migrations, ledgerConfig);
        }
    }

    /** The starter assets, unless {@code WALLET_STARTER_ASSETS=false}; each is a no-op when it exists. */
    private static void addStarterAssets(ServerConfig.Database database, DataSource pool, LedgerConfig ledgerConfig) {
        if (!database.starterAssets()) {
            return;
        }
        try (Ledger ledger = new Ledger(pool, ledgerConfig.withCoalescing(0, 1, 1, ledgerConfig.waitMillisMax()))) {
            for (Asset asset : Asset.STARTERS) {
                try {
                    ledger.addAsset(asset);
                } catch (WalletException e) {
                    if (e.code() != ErrorCode.ASSET_EXISTS) {
                        throw e;
                    }
                    LOG.info("starter asset {} exists with another definition: kept as it is", asset.code());
                }
            }
        }
    }

    private static void checkDurability(HikariDataSource pool, boolean allowNonDurable) {
        List<String> off = waitForDatabase(pool);
        if (off.isEmpty()) {
            LOG.info("durability: fsync, synchronous_commit and full_page_writes are on");
            return;
        }
        if (!allowNonDurable) {
            throw new IllegalStateException("refusing to serve: the database is not durable (" + String.join(", ", off)
                    + "); acknowledged writes could be lost in a crash. Fix the settings, or set "
                    + "WALLET_ALLOW_NON_DURABLE=true to serve anyway");
        }
        for (int i = 0; i < 3; i++) {
            LOG.warn(
                    "!!! NOT DURABLE: {} — acknowledged writes may be lost in a crash "
                            + "(WALLET_ALLOW_NON_DURABLE=true) !!!",
                    String.join(", ", off));
        }
    }

    private static List<String> waitForDatabase(HikariDataSource pool) {
        long deadline = System.nanoTime() + DATABASE_WAIT_MILLIS * 1_000_000;
        for (int attempt = 1; ; attempt++) {
            try {
                return Durability.check(pool);
            } catch (SQLException | RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the database did not answer within " + DATABASE_WAIT_MILLIS + " ms: " + e.getMessage(), e);
                }
                LOG.warn("waiting for the database (attempt {}): {}", attempt, e.getMessage());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the database", interrupted);
                }
            }
        }
    }

    public int port() {
        return server.port();
    }

    /** The ledger the server runs, for tests that read its metrics. */
    public Ledger ledger() {
        return ledger;
    }

    /** The shutdown order: the server (finishing requests in flight), the ledger, the pool, PostgreSQL. */
    @Override
    public void close() {
        LOG.info("shutting down");
        server.close();
        ledger.close();
        pool.close();
        if (readPool != null) {
            readPool.close();
        }
        if (embedded != null) {
            embedded.close();
        }
        LOG.info("stopped");
    }

    /** Retries are normal under contention; they are logged at debug and counted in /metrics. */
    private static final class RetryLog implements LedgerListener {
        @Override
        public void retrying(String sqlState, int attempt, long backoffMillis) {
            LOG.debug(
                    "retrying a transaction after SQLSTATE {} (attempt {}, backoff {} ms)",
                    sqlState,
                    attempt,
                    backoffMillis);
        }
    }
}
