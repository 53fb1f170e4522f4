package dev.walletledger.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Ledger;
import dev.walletledger.http.Main;
import dev.walletledger.http.ServerConfig;
import dev.walletledger.http.WalletServer;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The server in-process, started by {@link Main#start} exactly as the server jar starts it (the production
 * pool, the durability check, migrations, the ledger, {@link WalletServer} on a free port), over a
 * database URL the test controls: a dedicated PostgreSQL, often through a {@link FaultProxy}.
 */
final class LedgerService implements AutoCloseable {
    final Ledger ledger;
    private final Main main;

    private LedgerService(Main main) {
        this.main = main;
        this.ledger = main.ledger();
    }

    /** {@code jdbcUrl} may lack a user: then {@code postgres}, the test servers' superuser. */
    static LedgerService start(String jdbcUrl, String schema, IsolationLevel isolation, int poolSize) {
        quietLogs();
        String url =
                jdbcUrl.contains("user=") ? jdbcUrl : jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "user=postgres";
        return new LedgerService(Main.start(ServerConfig.fromEnvironment(Map.of(
                "DATABASE_URL",
                url,
                "WALLET_SCHEMA",
                schema,
                "WALLET_ISOLATION",
                isolation.name(),
                "WALLET_POOL_SIZE",
                Integer.toString(poolSize),
                "PORT",
                "0",
                // Some fault targets run with fsync off to be quick; durability is DurabilityGuardIT's subject.
                "WALLET_ALLOW_NON_DURABLE",
                "true"))));
    }

    /**
     * As {@link #start(String, String, IsolationLevel, int)}, with the database settings in {@code database}
     * ({@code DATABASE_URL}, {@code WALLET_MIGRATION_DATABASE_URL}, {@code WALLET_PGBOUNCER}...).
     */
    static LedgerService start(Map<String, String> database, String schema, IsolationLevel isolation, int poolSize) {
        quietLogs();
        Map<String, String> env = new java.util.HashMap<>(database);
        env.put("WALLET_SCHEMA", schema);
        env.put("WALLET_ISOLATION", isolation.name());
        env.put("WALLET_POOL_SIZE", Integer.toString(poolSize));
        env.put("PORT", "0");
        env.put("WALLET_ALLOW_NON_DURABLE", "true");
        return new LedgerService(Main.start(ServerConfig.fromEnvironment(env)));
    }

    int port() {
        return main.port();
    }

    /** One access-log line per request, thousands of requests: only warnings (5xx) are kept. */
    static void quietLogs() {
        ((Logger) LoggerFactory.getLogger("dev.walletledger.http.access")).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.ERROR);
    }

    @Override
    public void close() {
        main.close();
    }
}
