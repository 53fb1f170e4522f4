package dev.walletledger.runtime;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Objects;

/** Connection pools with bounded waits, for the server and the CLI. */
public final class DataSources {
    /** How long a caller waits for a free connection before the ledger reports the database unavailable. */
    public static final long CONNECTION_TIMEOUT_MILLIS = 5_000;
    /** How long opening a connection may take: the TCP connect, and the login (TLS, authentication) too. */
    public static final int CONNECT_TIMEOUT_SECONDS = 3;
    /** The most connections one pool may hold; PostgreSQL's default max_connections is 100. */
    public static final int POOL_SIZE_MAX = 200;

    private DataSources() {}

    /**
     * A HikariCP pool of at most {@code poolSize} connections. It opens no connection until first
     * used, so a database that is down at start is reported by the first call, not here.
     *
     * @param user     null to let the driver decide
     * @param password null when not needed
     */
    public static HikariDataSource pool(String jdbcUrl, String user, String password, int poolSize, String name) {
        return new HikariDataSource(config(jdbcUrl, user, password, poolSize, name));
    }

    private static HikariConfig config(String jdbcUrl, String user, String password, int poolSize, String name) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(name, "name");
        if (poolSize < 1 || poolSize > POOL_SIZE_MAX) {
            throw new IllegalArgumentException("poolSize must be from 1 to " + POOL_SIZE_MAX + ", got " + poolSize);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setPoolName(name);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setValidationTimeout(2_000);
        config.setIdleTimeout(300_000);
        config.setMaxLifetime(1_800_000);
        config.setKeepaliveTime(60_000);
        // Start even when the database is down: /health reports it, and the pool reconnects by itself.
        config.setInitializationFailTimeout(-1);
        // Bounded TCP connect and login; no socket read timeout, because an audit may read for long. The pool
        // opens connections one at a time, so an attempt whose packets vanished (a partition, a blackhole) holds
        // up every later one until it gives up: these bounds are how long the pool may stay empty after the
        // network heals. A login takes milliseconds, or a few round trips with TLS.
        config.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        config.addDataSourceProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", name);
        return config;
    }

    /**
     * A pool for a command that runs once and exits (the CLI): as {@link #pool(String, String, String, int,
     * String)}, but it connects when built, once: a database that cannot be reached throws here (HikariCP's
     * {@code PoolInitializationException}, the driver's failure as its cause) instead of after the pool's
     * connection timeout.
     */
    public static HikariDataSource commandPool(
            String jdbcUrl, String user, String password, int poolSize, String name) {
        HikariConfig config = config(jdbcUrl, user, password, poolSize, name);
        config.setInitializationFailTimeout(1);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }

    public static HikariDataSource pool(DatabaseUrl url, int poolSize, String name) {
        return pool(url, poolSize, name, false);
    }

    /**
     * As {@link #pool(DatabaseUrl, int, String)}; {@code transactionPooler}: the URL leads to a pooler in
     * transaction mode (PgBouncer's {@code pool_mode = transaction}), which hands each transaction to any
     * server connection, so the driver must not keep prepared statements on the server
     * ({@code prepareThreshold=0}: every statement is parsed each time, in the same round trip).
     */
    public static HikariDataSource pool(DatabaseUrl url, int poolSize, String name, boolean transactionPooler) {
        return new HikariDataSource(config(url, poolSize, name, transactionPooler));
    }

    private static HikariConfig config(DatabaseUrl url, int poolSize, String name, boolean transactionPooler) {
        HikariConfig config = config(url.jdbcUrl(), url.user(), url.password(), poolSize, name);
        if (transactionPooler) {
            config.addDataSourceProperty("prepareThreshold", "0");
        }
        return config;
    }

    /** How long a read waits for a replica connection (or its TCP connect) before the primary serves it. */
    public static final long REPLICA_CONNECTION_TIMEOUT_MILLIS = 1_000;

    /**
     * A pool for a read replica: as {@link #pool(DatabaseUrl, int, String, boolean)}, but a replica that is
     * down is given up on within {@link #REPLICA_CONNECTION_TIMEOUT_MILLIS}, since the primary can serve.
     */
    public static HikariDataSource replicaPool(DatabaseUrl url, int poolSize, String name, boolean transactionPooler) {
        HikariConfig config = config(url, poolSize, name, transactionPooler);
        config.setConnectionTimeout(REPLICA_CONNECTION_TIMEOUT_MILLIS);
        config.setMinimumIdle(0);
        config.addDataSourceProperty("connectTimeout", "1");
        config.setReadOnly(true);
        return new HikariDataSource(config);
    }
}
