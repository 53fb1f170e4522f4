package dev.walletledger.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletException;
import dev.walletledger.testing.Seeds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures the isolation default: the same workloads at each level, on a durable embedded PostgreSQL
 * (fsync and synchronous_commit on). Not a test; run by hand:
 * {@code java -cp <test classpath> dev.walletledger.bench.IsolationMeasurement [seconds] [threads]}.
 */
public final class IsolationMeasurement {
    private IsolationMeasurement() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        long seed = Seeds.seed("IsolationMeasurement seconds=" + seconds + " threads=" + threads);
        Path dir = Files.createTempDirectory("isolation-measurement");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "200")
                .setServerConfig("logging_collector", LOG_DIRECTORY.isEmpty() ? "off" : "on")
                .setServerConfig("log_directory", LOG_DIRECTORY.isEmpty() ? "log" : LOG_DIRECTORY)
                .start()) {
            System.out.println("| isolation | lanes | workload | ops/s | retries | busy | refused |");
            System.out.println("|---|---|---|---|---|---|---|");
            int run = 0;
            for (int lanes : new int[] {0, 4}) {
                for (IsolationLevel isolation : IsolationLevel.values()) {
                    for (String workload : new String[] {"spread top-ups", "hot mix (8 users)"}) {
                        if (!chosen(isolation, lanes, workload)) {
                            continue;
                        }
                        measure(pg, "m" + run++, isolation, lanes, workload, seconds, threads, seed);
                    }
                }
            }
        }
    }

    /** Optional filters, each a substring of the row's column ({@code -Dmeasure.isolation=SERIAL}, ...). */
    private static final String ISOLATION = System.getProperty("measure.isolation", "");

    private static final String LANES = System.getProperty("measure.lanes", "");
    private static final String WORKLOAD = System.getProperty("measure.workload", "");
    /** When set, the server logs (each failed statement, with its DETAIL) go to this directory. */
    private static final String LOG_DIRECTORY = System.getProperty("measure.log", "");
    /** When true, SIRead locks are sampled while a row runs and their peak counts printed. */
    private static final boolean LOCKS = Boolean.getBoolean("measure.locks");

    private static boolean chosen(IsolationLevel isolation, int lanes, String workload) {
        return isolation.name().contains(ISOLATION)
                && (LANES.isEmpty() || LANES.equals(Integer.toString(lanes)))
                && workload.contains(WORKLOAD);
    }

    private static void measure(
            EmbeddedPostgres pg,
            String schema,
            IsolationLevel isolation,
            int lanes,
            String workload,
            int seconds,
            int threads,
            long seed)
            throws Exception {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        pool.setUsername("postgres");
        pool.setMaximumPoolSize(lanes > 0 ? lanes + 4 : 16);
        try (HikariDataSource dataSource = new HikariDataSource(pool)) {
            LedgerConfig config = LedgerConfig.defaults()
                    .withSchema(schema)
                    .withIsolation(isolation)
                    .withCoalescing(lanes, Integer.getInteger("measure.batch", 500), 10_000, 60_000);
            Ledger.migrate(dataSource, config);
            String setup = System.getProperty("measure.setup", "");
            if (!setup.isEmpty()) {
                try (Connection c = dataSource.getConnection();
                        java.sql.Statement st = c.createStatement()) {
                    st.execute(setup.replace("{schema}", schema));
                }
            }
            boolean hot = workload.startsWith("hot");
            try (Ledger ledger = new Ledger(dataSource, config)) {
                ledger.addAsset(new Asset("GOLD_COINS", "Gold Coins", 0)); // assets are no longer made on first use
                if (hot) {
                    for (int u = 0; u < 8; u++) {
                        ledger.topUp(Operation.topUp("hot-" + u, "GOLD_COINS", 1_000_000_000L, "fund-" + u));
                    }
                }
                LongAdder done = new LongAdder();
                LongAdder busy = new LongAdder();
                LongAdder refused = new LongAdder();
                Map<String, LongAdder> codes = new java.util.concurrent.ConcurrentSkipListMap<>();
                AtomicLong counter = new AtomicLong();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                ExecutorService executor = Executors.newFixedThreadPool(threads);
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Random random = new Random(seed + i);
                    futures.add(executor.submit(() -> {
                        while (System.nanoTime() < deadline) {
                            long n = counter.incrementAndGet();
                            Operation op = hot
                                    ? (random.nextInt(10) < 6
                                            ? Operation.spend(
                                                    "hot-" + random.nextInt(8),
                                                    "GOLD_COINS",
                                                    1 + random.nextInt(100),
                                                    "s" + n)
                                            : Operation.topUp(
                                                    "hot-" + random.nextInt(8),
                                                    "GOLD_COINS",
                                                    1 + random.nextInt(100),
                                                    "t" + n))
                                    : Operation.topUp(
                                            "user-" + random.nextInt(100_000),
                                            "GOLD_COINS",
                                            1 + random.nextInt(100),
                                            "t" + n);
                            try {
                                ledger.apply(op);
                                done.increment();
                            } catch (WalletException e) {
                                (e.code().retryable() ? busy : refused).increment();
                                codes.computeIfAbsent(e.code() + ": " + e.getMessage(), k -> new LongAdder())
                                        .increment();
                            }
                        }
                        return null;
                    }));
                }
                Map<String, Integer> peaks = new TreeMap<>();
                if (LOCKS) {
                    sample(pg, deadline, peaks);
                }
                for (Future<?> future : futures) {
                    future.get(seconds + 120L, TimeUnit.SECONDS);
                }
                executor.shutdown();
                codes.forEach((code, count) -> System.out.println("  " + count + " x " + code));
                if (LOCKS) {
                    try (Connection c = dataSource.getConnection();
                            java.sql.Statement st = c.createStatement();
                            ResultSet rows = st.executeQuery("SELECT relname, n_tup_upd, n_tup_hot_upd"
                                    + " FROM pg_stat_user_tables WHERE n_tup_upd > 0 AND schemaname = '" + schema
                                    + "'")) {
                        while (rows.next()) {
                            System.out.println("  updates " + rows.getString(1) + " " + rows.getLong(2) + ", HOT "
                                    + rows.getLong(3));
                        }
                    }
                }
                peaks.forEach((lock, peak) -> System.out.println("  SIReadLock peak " + peak + " " + lock));
                System.out.printf(
                        "| %s | %d | %s | %.0f | %d | %d | %d |%n",
                        isolation,
                        lanes,
                        workload,
                        done.sum() / (double) seconds,
                        ledger.metrics().retries(),
                        busy.sum(),
                        refused.sum());
            }
        }
    }

    /** Samples the SIRead locks every 50 ms until {@code deadline}, keeping each kind's peak count. */
    private static void sample(EmbeddedPostgres pg, long deadline, Map<String, Integer> peaks) throws Exception {
        try (Connection connection = pg.getPostgresDatabase().getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT locktype || ' ' || COALESCE(relation::regclass::text, '-') AS lock, count(*)"
                                + " FROM pg_locks WHERE mode = 'SIReadLock' GROUP BY 1")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        peaks.merge(rows.getString(1), rows.getInt(2), Math::max);
                    }
                }
                Thread.sleep(50);
            }
        }
    }
}
