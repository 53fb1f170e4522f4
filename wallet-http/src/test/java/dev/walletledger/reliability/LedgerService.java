package dev.walletledger.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.http.ServerConfig;
import dev.walletledger.http.WalletServer;
import dev.walletledger.runtime.DataSources;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The server in-process, wired as {@code Main} wires it (the production pool from {@link DataSources},
 * migrations, a {@link Ledger} at the given isolation, {@link WalletServer} on a free port), over a
 * database URL the test controls: a dedicated PostgreSQL, often through a {@link FaultProxy}.
 */
final class LedgerService implements AutoCloseable {
    final HikariDataSource pool;
    final Ledger ledger;
    final WalletServer server;
    final LedgerConfig config;

    private LedgerService(HikariDataSource pool, Ledger ledger, WalletServer server, LedgerConfig config) {
        this.pool = pool;
        this.ledger = ledger;
        this.server = server;
        this.config = config;
    }

    static LedgerService start(String jdbcUrl, String schema, IsolationLevel isolation, int poolSize) {
        quietLogs();
        HikariDataSource pool = DataSources.pool(jdbcUrl, "postgres", null, poolSize, "reliability");
        try {
            LedgerConfig config = LedgerConfig.defaults().withSchema(schema).withIsolation(isolation);
            Ledger.migrate(pool, config);
            Ledger ledger = new Ledger(pool, config);
            ServerConfig serverConfig = new ServerConfig(Optional.empty(), Path.of("unused"), "127.0.0.1", 0, "info",
                    false, poolSize, isolation, true, false);
            WalletServer server = WalletServer.start(serverConfig, ledger, pool);
            return new LedgerService(pool, ledger, server, config);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    /** One access-log line per request, thousands of requests: only warnings (5xx) are kept. */
    static void quietLogs() {
        ((Logger) LoggerFactory.getLogger("dev.walletledger.http.access")).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.ERROR);
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                ledger.close();
            } finally {
                pool.close();
            }
        }
    }
}
