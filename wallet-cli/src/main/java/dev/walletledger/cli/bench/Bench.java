package dev.walletledger.cli.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Batch;
import dev.walletledger.core.BatchResult;
import dev.walletledger.core.ControlsChange;
import dev.walletledger.core.EventPage;
import dev.walletledger.core.EventQuery;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The benchmark: pgbench's top-up-shaped scripts as the ceiling, then our workloads at the same
 * concurrencies on the same PostgreSQL, each reported with its ratio to the matching pgbench run.
 * Speed is measured here and never asserted in a test.
 */
public final class Bench {
    /**
     * What to run. {@code databaseUrl} empty: a fresh durable embedded PostgreSQL, removed afterwards. Each row is
     * the median of {@code repetitions} runs; {@code only} names the library workloads to run (their
     * {@link LibraryOrder} keys; empty: all). {@code serverJvmOptions}: given to every server JVM the bench starts,
     * after its heap. {@code firstMinuteSeconds}: 0, or how long a freshly started server is loaded, bucket by
     * bucket, after the other runs. {@code warmUp}: how each measured HTTP run's server is warmed up first.
     */
    public record Settings(
            int seconds,
            List<Integer> concurrencies,
            int pgbenchScale,
            Path out,
            Optional<String> databaseUrl,
            Optional<Path> serverJar,
            boolean http,
            boolean pgbench,
            long seed,
            long reportEntries,
            int repetitions,
            List<String> only,
            boolean library,
            List<String> serverJvmOptions,
            int firstMinuteSeconds,
            WarmUp warmUp) {
        /** The most entries {@code reportEntries} may ask the ledger to be filled to before the reports are timed. */
        public static final long REPORT_ENTRIES_MAX = 100_000_000;
        /** The longest first-minute measurement (it is a minute by default; this bounds a longer look). */
        public static final int FIRST_MINUTE_SECONDS_MAX = 600;

        /** The most repetitions of each row. */
        public static final int REPETITIONS_MAX = 9;

        public Settings {
            concurrencies = List.copyOf(concurrencies);
            only = List.copyOf(only);
            serverJvmOptions = List.copyOf(serverJvmOptions);
            if (seconds < 1 || seconds > 3_600) {
                throw new IllegalArgumentException("seconds must be from 1 to 3600");
            }
            if (concurrencies.isEmpty() || concurrencies.stream().anyMatch(c -> c < 1 || c > 256)) {
                throw new IllegalArgumentException("concurrencies must be from 1 to 256");
            }
            if (reportEntries < 0 || reportEntries > REPORT_ENTRIES_MAX) {
                throw new IllegalArgumentException("report entries must be from 0 to " + REPORT_ENTRIES_MAX);
            }
            if (repetitions < 1 || repetitions > REPETITIONS_MAX) {
                throw new IllegalArgumentException("repetitions must be from 1 to " + REPETITIONS_MAX);
            }
            if (!LibraryOrder.keys().containsAll(only)) {
                throw new IllegalArgumentException("only takes " + LibraryOrder.keys() + ", got " + only);
            }
            if (firstMinuteSeconds < 0 || firstMinuteSeconds > FIRST_MINUTE_SECONDS_MAX) {
                throw new IllegalArgumentException(
                        "the first-minute measurement takes from 0 to " + FIRST_MINUTE_SECONDS_MAX + " s");
            }
            ServerProcess.checkJvmOptions(serverJvmOptions);
        }

        /** Server JVM options separated by white space, checked: each starts with - and names no class path or jar. */
        public static List<String> serverJvmOptions(String text) {
            List<String> options = List.of(text.strip().split("\\s+"));
            ServerProcess.checkJvmOptions(options);
            return options;
        }

        /**
         * The settings of earlier callers: every library workload, once; no extra server JVM options, no first-minute
         * measurement, the warm-up for the runs' length.
         */
        public Settings(
                int seconds,
                List<Integer> concurrencies,
                int pgbenchScale,
                Path out,
                Optional<String> databaseUrl,
                Optional<Path> serverJar,
                boolean http,
                boolean pgbench,
                long seed,
                long reportEntries) {
            this(
                    seconds,
                    concurrencies,
                    pgbenchScale,
                    out,
                    databaseUrl,
                    serverJar,
                    http,
                    pgbench,
                    seed,
                    reportEntries,
                    1,
                    List.of(),
                    true,
                    List.of(),
                    0,
                    WarmUp.forRunSeconds(seconds));
        }

        /** The settings of earlier callers: no filling before the reports are timed. */
        public Settings(
                int seconds,
                List<Integer> concurrencies,
                int pgbenchScale,
                Path out,
                Optional<String> databaseUrl,
                Optional<Path> serverJar,
                boolean http,
                boolean pgbench,
                long seed) {
            this(seconds, concurrencies, pgbenchScale, out, databaseUrl, serverJar, http, pgbench, seed, 0);
        }

        int concurrencyMax() {
            return concurrencies.stream().mapToInt(Integer::intValue).max().orElseThrow();
        }

        /** Whether the library workload {@code key} runs. */
        boolean runs(String key) {
            return only.isEmpty() || only.contains(key);
        }
    }

    private static final int SPREAD_ASSETS = 16;
    private static final int READ_USERS = 10_000;
    private static final int TOPUP_USERS = 1_000_000;

    private final Settings settings;
    private final PrintStream log;
    private final List<Result> results = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, Result> baselines = new LinkedHashMap<>();
    private final List<String> sections = new ArrayList<>();
    /** Numbers the warm-up windows, whose run names (and so top-up references) must never repeat. */
    private int warmUpWindows;

    public Bench(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs everything and writes report.md, results.jsonl and throughput.png; returns report.md. */
    public Path run() {
        try {
            Files.createDirectories(settings.out());
            Path scratch = Files.createTempDirectory("wallet-bench");
            try (Target target = Target.open(settings.databaseUrl(), scratch.resolve("data"))) {
                describe(target);
                if (settings.pgbench()) {
                    runPgbench(target);
                }
                if (settings.library()) {
                    runLibrary(target);
                }
                if (settings.http() || settings.firstMinuteSeconds() > 0) {
                    runHttp(target);
                }
            } finally {
                deleteTree(scratch);
            }
            return writeReport();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The database under test and how to reach it. */
    private record Target(DatabaseUrl url, EmbeddedDatabase embedded) implements AutoCloseable {
        static Target open(Optional<String> databaseUrl, Path scratch) {
            if (databaseUrl.isPresent()) {
                return new Target(DatabaseUrl.parse(databaseUrl.get()), null);
            }
            EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(scratch);
            return new Target(DatabaseUrl.parse(database.jdbcUrl() + "?user=" + database.user()), database);
        }

        HikariDataSource pool(int size, String name) {
            return DataSources.pool(url.jdbcUrl(), url.user(), url.password(), size, name);
        }

        /** host and port of jdbc:postgresql://host[:port]/db (pgbench takes them apart). */
        URI address() {
            return URI.create(url.jdbcUrl().substring("jdbc:".length()));
        }

        /** The JDBC URL with its credentials as parameters, for the server's DATABASE_URL. */
        String urlWithCredentials() {
            String base = url.jdbcUrl();
            String separator = base.contains("?") ? "&" : "?";
            return base + separator + "user=" + encode(url.user())
                    + (url.password() == null ? "" : "&password=" + encode(url.password()));
        }

        private static String encode(String text) {
            return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private void describe(Target target) {
        environment.put("date", Instant.now().toString());
        environment.put(
                "machine",
                Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch"));
        environment.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        environment.put(
                "database",
                target.embedded() != null
                        ? "embedded (io.zonky binaries), fresh data directory"
                        : target.url().toString());
        environment.put("seed", Long.toString(settings.seed()));
        environment.put("duration per run", settings.seconds() + " s");
        environment.put("concurrencies", settings.concurrencies().toString());
        environment.put(
                "repetitions",
                settings.repetitions() == 1
                        ? "1 (each row is one run)"
                        : settings.repetitions() + " (pgbench and library rows: the median of the runs, with their"
                                + " range; the library workloads in a different order at each, see below;"
                                + " HTTP rows and the reports: one run)");
        if (!settings.only().isEmpty()) {
            environment.put("library workloads", "only " + String.join(", ", settings.only()));
        }
        try (HikariDataSource pool = target.pool(2, "bench-describe");
                Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            environment.put("postgresql", scalar(statement, "SELECT version()"));
            List<String> durability = new ArrayList<>();
            for (String setting : List.of(
                    "fsync",
                    "synchronous_commit",
                    "full_page_writes",
                    "wal_sync_method",
                    "shared_buffers",
                    "max_connections",
                    "commit_delay")) {
                durability.add(setting + "=" + scalar(statement, "SHOW " + setting));
            }
            environment.put("settings", String.join(", ", durability));
            if (durability.stream()
                    .anyMatch(s -> s.equals("fsync=off")
                            || s.equals("synchronous_commit=off")
                            || s.equals("full_page_writes=off"))) {
                environment.put("WARNING", "this database is not durable: these numbers do not count");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the database's version and settings", e);
        }
        log.println("bench: " + environment.get("postgresql"));
    }

    private void runPgbench(Target target) {
        Optional<Path> binary = Pgbench.find();
        if (binary.isEmpty()) {
            environment.put("pgbench", "not found: baselines and ratios skipped");
            return;
        }
        String database = "wallet_bench_pgbench";
        try (HikariDataSource pool = target.pool(1, "bench-pgbench");
                Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database);
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            environment.put("pgbench", "could not create its database (" + e.getMessage() + "): skipped");
            return;
        }
        URI address = target.address();
        Pgbench pgbench = new Pgbench(
                binary.get(),
                address.getHost(),
                address.getPort() < 0 ? 5432 : address.getPort(),
                target.url().user(),
                target.url().password(),
                database);
        environment.put(
                "pgbench",
                pgbench.version() + ", scale " + settings.pgbenchScale()
                        + ", -M prepared -j 2 -n, top-up-shaped scripts (one row updated + one inserted; hot: plus one shared row)");
        log.println("bench: pgbench -i -s " + settings.pgbenchScale());
        pgbench.initialize(settings.pgbenchScale());
        Repetitions runs = new Repetitions();
        for (int r = 0; r < settings.repetitions(); r++) {
            int position = 0;
            for (String script : List.of("topup_uniform", "topup_hot", "select-only")) {
                for (int clients : settings.concurrencies()) {
                    Result result = pgbench.run(script, clients, settings.seconds());
                    logRun(result, r);
                    runs.add(new Repetitions.Run(result, "", r, position++, script));
                }
            }
        }
        for (List<Repetitions.Run> row : runs.rows()) {
            Result median = Repetitions.medianRow(
                    row.stream().map(Repetitions.Run::result).toList());
            baselines.put(row.get(0).unit() + "@" + median.concurrency(), median);
            record(median);
        }
    }

    private void runLibrary(Target target) {
        int poolSize = LedgerConfig.defaults().lanes() + 12;
        try (HikariDataSource pool = target.pool(poolSize, "bench-library")) {
            LedgerConfig config = LedgerConfig.defaults().withSchema("bench_library");
            Ledger.migrate(pool, config);
            try (Ledger ledger = new Ledger(pool, config)) {
                Asset.STARTERS.forEach(ledger::addAsset);
                settle(pool);
                warmUp(ledger);
                settle(pool);
                List<Asset> spread = new ArrayList<>();
                for (int i = 0; i < SPREAD_ASSETS; i++) {
                    spread.add(ledger.addAsset(new Asset("BENCH_%02d".formatted(i), "Bench %d".formatted(i), 0)));
                }
                Map<String, Runnable> units = new LinkedHashMap<>();
                units.put("topups", () -> topUps(ledger, Workloads.LIBRARY_TOPUPS, "lt-"));
                units.put("mix", () -> mix(ledger));
                units.put("hot", () -> hotAndSpread(ledger, pool, config.schema(), spread));
                units.put("transfers", () -> transfers(ledger, pool, config.schema()));
                units.put("holds", () -> holds(ledger, pool, config.schema()));
                units.put("spends", () -> spends(ledger));
                units.put("followed", () -> followed(ledger));
                units.put("controlled", () -> controlled(ledger));
                units.put("batches", () -> batches(ledger));
                units.put("copy", () -> copyCeiling(ledger, pool, config.schema(), target));
                if (!units.keySet().equals(LibraryOrder.UNITS.keySet())) {
                    throw new IllegalStateException("LibraryOrder.UNITS and the bench's workloads differ");
                }
                units.keySet().removeIf(key -> !settings.runs(key));
                runRepetitions(units);
                if (settings.runs(LibraryOrder.REPORTS)) {
                    reports(ledger, pool, config.schema());
                }
                log.println("bench: library done; " + ledger.metrics());
            } finally {
                if (ceiling != null) {
                    ceiling.close();
                    ceiling = null;
                }
            }
        }
    }

    /** The runs of the library workloads being repeated (null when not repeating: the row is recorded as it is). */
    private Repetitions library;

    private int repetition;
    private int position;
    private String unit = "";

    /** The seed of this repetition's workloads: the run's seed at the first, then a different one at each. */
    private long repetitionSeed;

    /** The workloads whose funding is done: it is done once, before their first repetition. */
    private final Set<String> funded = new java.util.HashSet<>();

    /**
     * Runs {@code units} (by {@link LibraryOrder} key) {@code repetitions} times, each time in the order
     * {@link LibraryOrder#order} gives, then records each row's median with its range.
     */
    private void runRepetitions(Map<String, Runnable> units) {
        int repetitions = settings.repetitions();
        List<String> keys = new ArrayList<>(units.keySet());
        library = new Repetitions();
        for (int r = 0; r < repetitions; r++) {
            List<String> order = LibraryOrder.order(keys, settings.seed(), r, repetitions);
            environment.put("library order, repetition " + (r + 1), String.join(", ", order));
            log.println("bench: library repetition " + (r + 1) + " of " + repetitions + ": " + order);
            repetition = r;
            repetitionSeed = settings.seed() + r * 7_919L;
            for (int p = 0; p < order.size(); p++) {
                position = p;
                unit = order.get(p);
                units.get(unit).run();
            }
        }
        Repetitions runs = library;
        library = null;
        List<Result> medians = new ArrayList<>();
        List<String> baselineKeys = new ArrayList<>();
        List<List<Repetitions.Run>> rows = new ArrayList<>(runs.rows());
        rows.sort(Comparator.comparingInt(row -> keys.indexOf(row.get(0).unit())));
        for (List<Repetitions.Run> row : rows) {
            medians.add(Repetitions.medianRow(
                    row.stream().map(Repetitions.Run::result).toList()));
            baselineKeys.add(row.get(0).baselineKey());
        }
        for (int i = 0; i < medians.size(); i++) {
            Result r = medians.get(i);
            Optional<Result> ceilingRow = medians.stream()
                    .filter(c -> c.workload().equals(Workloads.COPY_CEILING) && c.concurrency() == r.concurrency())
                    .findFirst();
            if (r.workload().equals(Workloads.BATCHES_OF_1000) && ceilingRow.isPresent()) {
                medians.set(
                        i,
                        r.withNote(String.format(
                                "%.2f× the COPY ceiling @%d (medians)",
                                r.opsPerSecond() / ceilingRow.get().opsPerSecond(), r.concurrency())));
            }
            record(medians.get(i), baselineKeys.get(i));
        }
        describeRepetitions(runs, medians);
    }

    /** The environment's lines on the library's repetitions: hot vs spread, the order check, top-ups by place. */
    private void describeRepetitions(Repetitions runs, List<Result> medians) {
        int top = settings.concurrencyMax();
        Optional<Result> hot =
                medians.stream().filter(r -> r.workload().equals(Workloads.HOT)).findFirst();
        Optional<Result> spreadRow = medians.stream()
                .filter(r -> r.workload().equals(Workloads.SPREAD))
                .findFirst();
        if (hot.isPresent() && spreadRow.isPresent()) {
            environment.put(
                    "hot/spread",
                    String.format(
                            "%.2f", hot.get().opsPerSecond() / spreadRow.get().opsPerSecond()));
        }
        List<String> check = LibraryOrder.check(runs, settings.repetitions());
        environment.put(
                "order check (first place ÷ median elsewhere)",
                check.isEmpty() ? "one repetition: nothing to compare" : String.join("; ", check));
        if (settings.runs("topups")) {
            StringBuilder places = new StringBuilder();
            for (int c : settings.concurrencies()) {
                places.append(places.isEmpty() ? "" : "; ")
                        .append("@")
                        .append(c)
                        .append(": ")
                        .append(LibraryOrder.positions(runs, Workloads.LIBRARY_TOPUPS, c));
            }
            environment.put("library top-ups at each place (#1 first)", places.toString());
        }
        if (ceiling != null) {
            environment.put("COPY ceiling writes", ceiling.describe(BATCH_PROBED));
        }
    }

    /** The batch size the COPY ceiling is measured against. */
    private static final int BATCH_PROBED = 1_000;

    private CopyCeiling ceiling;

    /**
     * The COPY ceiling at 1 and 4 callers, like the batches of 1,000: first (once) what such a batch writes is
     * counted on the ledger, and the ceiling's scratch tables are created.
     */
    private void copyCeiling(Ledger ledger, HikariDataSource pool, String schema, Target target) {
        if (ceiling == null) {
            String prefix = "probe-" + Instant.now().toEpochMilli();
            BatchRows.Written written = BatchRows.count(pool, schema, BATCH_PROBED, () -> {
                batch(ledger, new java.util.Random(settings.seed()), BATCH_PROBED, prefix);
                return prefix + "-0";
            });
            environment.put("a batch of 1,000 top-ups writes", written.describe());
            log.println("bench: a batch of 1,000 top-ups writes " + written.describe() + "; e.g. request "
                    + written.request() + ", event " + written.eventType());
            ceiling = CopyCeiling.create(target.pool(4, "bench-copy"), schema, "GOLD_COINS", written);
        }
        for (int callers : List.of(1, 4)) {
            record(
                    LibraryLoad.run(
                                    Workloads.COPY_CEILING,
                                    ledger,
                                    callers,
                                    settings.seconds(),
                                    repetitionSeed,
                                    ceiling.step(BATCH_PROBED, TOPUP_USERS, callers))
                            .withDriver("COPY"),
                    "topup_uniform@" + settings.concurrencyMax());
        }
    }

    /** Not recorded: JIT compilation and the first plans would otherwise be charged to the first workload. */
    private void warmUp(Ledger ledger) {
        LibraryLoad.run(
                "warm-up",
                ledger,
                settings.concurrencyMax(),
                Math.min(5, settings.seconds()),
                settings.seed(),
                (l, random, n) ->
                        apply(l, Operation.topUp("w" + random.nextInt(TOPUP_USERS), "GOLD_COINS", 1, "warm-" + n)));
    }

    private void mix(Ledger ledger) {
        for (int c : settings.concurrencies()) {
            record(
                    LibraryLoad.run(
                            Workloads.LIBRARY_MIX,
                            ledger,
                            c,
                            settings.seconds(),
                            repetitionSeed,
                            (l, random, n) -> apply(l, mixed(random, c, n))),
                    "topup_uniform@" + c);
        }
    }

    /** Top-ups all through one TREASURY, then over sixteen assets' TREASURYs: each on freshly analyzed tables. */
    private void hotAndSpread(Ledger ledger, HikariDataSource pool, String schema, List<Asset> spread) {
        int hot = settings.concurrencyMax();
        analyze(pool, schema);
        record(
                LibraryLoad.run(
                        Workloads.HOT,
                        ledger,
                        hot,
                        settings.seconds(),
                        repetitionSeed,
                        (l, random, n) -> apply(
                                l,
                                Operation.topUp(
                                        "hot" + random.nextInt(TOPUP_USERS),
                                        "GOLD_COINS",
                                        1 + random.nextInt(1_000),
                                        "hot-" + n))),
                "topup_uniform@" + hot);
        analyze(pool, schema);
        record(
                LibraryLoad.run(
                        Workloads.SPREAD,
                        ledger,
                        hot,
                        settings.seconds(),
                        repetitionSeed,
                        (l, random, n) -> apply(
                                l,
                                Operation.topUp(
                                        "spr" + random.nextInt(TOPUP_USERS),
                                        spread.get(random.nextInt(SPREAD_ASSETS))
                                                .code(),
                                        1 + random.nextInt(1_000),
                                        "spr-" + n))),
                "topup_uniform@" + hot);
    }

    private void batches(Ledger ledger) {
        for (int size : List.of(100, 1_000)) {
            for (int callers : List.of(1, 4)) {
                record(
                        LibraryLoad.run(
                                Workloads.BATCHES_OF + size,
                                ledger,
                                callers,
                                settings.seconds(),
                                repetitionSeed,
                                (l, random, n) -> batch(l, random, size, "b" + size + "-" + callers + "-" + n)),
                        "topup_uniform@" + settings.concurrencyMax());
            }
        }
    }

    /**
     * Transfers between {@value #TRANSFER_USERS} funded users at each concurrency (two USER wallets locked
     * per transaction, in key order), then every caller on one pair, both ways at once: the hot pair.
     */
    private void transfers(Ledger ledger, HikariDataSource pool, String schema) {
        if (funded.add("transfers")) {
            List<Operation> funding = new ArrayList<>();
            for (int i = 0; i < TRANSFER_USERS; i++) {
                funding.add(Operation.topUp("tr" + i, "GOLD_COINS", 1_000_000_000L, "tr-fund-" + i));
            }
            funding.add(Operation.topUp("pair-a", "GOLD_COINS", 1_000_000_000L, "tr-fund-a"));
            funding.add(Operation.topUp("pair-b", "GOLD_COINS", 1_000_000_000L, "tr-fund-b"));
            ledger.submit(Batch.independent(funding));
        }
        analyze(pool, schema);
        for (int c : settings.concurrencies()) {
            record(
                    LibraryLoad.run(
                            Workloads.LIBRARY_TRANSFERS,
                            ledger,
                            c,
                            settings.seconds(),
                            repetitionSeed,
                            (l, random, n) -> {
                                int from = random.nextInt(TRANSFER_USERS);
                                int to = (from + 1 + random.nextInt(TRANSFER_USERS - 1)) % TRANSFER_USERS;
                                return apply(
                                        l,
                                        new Operation.Transfer(
                                                "tr" + from,
                                                "tr" + to,
                                                "GOLD_COINS",
                                                1 + random.nextInt(100),
                                                "tr-" + c + "-" + n,
                                                null));
                            }),
                    "topup_uniform@" + c);
        }
        int hot = settings.concurrencyMax();
        record(
                LibraryLoad.run(
                        Workloads.TRANSFERS_HOT_PAIR,
                        ledger,
                        hot,
                        settings.seconds(),
                        repetitionSeed,
                        (l, random, n) -> {
                            boolean forward = random.nextBoolean();
                            return apply(
                                    l,
                                    new Operation.Transfer(
                                            forward ? "pair-a" : "pair-b",
                                            forward ? "pair-b" : "pair-a",
                                            "GOLD_COINS",
                                            1 + random.nextInt(100),
                                            "trh-" + n,
                                            null));
                        }),
                "topup_uniform@" + hot);
    }

    private static final int TRANSFER_USERS = 1_000;

    private void topUps(Ledger ledger, String workload, String prefix) {
        for (int c : settings.concurrencies()) {
            record(
                    LibraryLoad.run(
                            workload,
                            ledger,
                            c,
                            settings.seconds(),
                            repetitionSeed,
                            (l, random, n) -> apply(
                                    l,
                                    Operation.topUp(
                                            "u" + random.nextInt(TOPUP_USERS),
                                            "GOLD_COINS",
                                            1 + random.nextInt(1_000),
                                            prefix + c + "-" + n))),
                    "topup_uniform@" + c);
        }
    }

    /** Fresh planner statistics for the ledger's tables. */
    private static void analyze(HikariDataSource pool, String schema) {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + schema + ".wallets, " + schema + ".ledger_transactions, " + schema
                    + ".ledger_entries");
        } catch (SQLException e) {
            throw new IllegalStateException("ANALYZE of the bench schema failed", e);
        }
    }

    /**
     * A checkpoint, so that the writes of the previous phase (pgbench -i writes about 150 MB) are not
     * flushed in the middle of the next one.
     */
    private static void settle(HikariDataSource pool) {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT");
        } catch (SQLException e) {
            // Not a superuser (an external database): the runs go on, a little noisier.
        }
    }

    /**
     * Hold-then-capture pairs at the highest concurrency, over {@value #TRANSFER_USERS} funded users: each step is
     * a hold and its final capture of part of it (the rest released), two transactions on one wallet. The ratio
     * is of pairs per second to pgbench's transactions per second.
     */
    private void holds(Ledger ledger, HikariDataSource pool, String schema) {
        if (funded.add("holds")) {
            List<Operation> funding = new ArrayList<>();
            for (int i = 0; i < TRANSFER_USERS; i++) {
                funding.add(Operation.topUp("hd" + i, "GOLD_COINS", 1_000_000_000L, "hd-fund-" + i));
            }
            ledger.submit(Batch.independent(funding));
        }
        analyze(pool, schema);
        int c = settings.concurrencyMax();
        record(
                LibraryLoad.run(
                        Workloads.HOLD_CAPTURE_PAIRS, ledger, c, settings.seconds(), repetitionSeed, (l, random, n) -> {
                            String user = "hd" + random.nextInt(TRANSFER_USERS);
                            long amount = 10 + random.nextInt(100);
                            java.util.UUID hold = l.hold(
                                            Operation.Hold.expiringIn(user, "GOLD_COINS", amount, "hd-" + n, 600))
                                    .holdId()
                                    .orElseThrow();
                            l.capture(new Operation.Capture(
                                    hold, "hdc-" + n, java.util.OptionalLong.of(amount / 2), true, null, null));
                            return LibraryLoad.Done.ONE;
                        }),
                "topup_uniform@" + c);
    }

    private static final int SPEND_USERS = 1_000;

    /**
     * Spends from wallets of three lots each (paid, free, and free expiring in a day), so every spend locks a
     * wallet of several accounts and takes its lots in the spend order (the expiring free coins first): the cost
     * of lots on the write path, beside the plain top-ups.
     */
    private void spends(Ledger ledger) {
        if (funded.add("spends")) {
            Instant tomorrow = Instant.now().plusSeconds(86_400);
            List<Operation> funding = new ArrayList<>();
            for (int u = 0; u < SPEND_USERS; u++) {
                String user = "sp" + u;
                funding.add(Operation.topUp(user, "GOLD_COINS", 1_000_000_000L, "sp-paid-" + u));
                funding.add(Operation.bonus(user, "GOLD_COINS", 1_000_000_000L, "sp-free-" + u));
                funding.add(new Operation.Bonus(user, "GOLD_COINS", 1_000_000L, "sp-soon-" + u, null, null, tomorrow));
            }
            fund(ledger, funding);
        }
        for (int c : settings.concurrencies()) {
            record(
                    LibraryLoad.run(
                            Workloads.LIBRARY_SPENDS,
                            ledger,
                            c,
                            settings.seconds(),
                            repetitionSeed,
                            (l, random, n) -> apply(
                                    l,
                                    Operation.spend(
                                            "sp" + random.nextInt(SPEND_USERS),
                                            "GOLD_COINS",
                                            1 + random.nextInt(500),
                                            "sp-" + c + "-" + n))),
                    "topup_uniform@" + c);
        }
    }

    /** The most operations of one funding batch. */
    private static final int FUNDING_BATCH = 900;

    /** Applies a workload's funding before it is measured, in independent batches of {@link #FUNDING_BATCH}. */
    private static void fund(Ledger ledger, List<Operation> funding) {
        for (int from = 0; from < funding.size(); from += FUNDING_BATCH) {
            ledger.submit(Batch.independent(funding.subList(from, Math.min(funding.size(), from + FUNDING_BATCH))));
        }
    }

    /** How long the follower may take to catch up once the writers stop. */
    private static final long CATCH_UP_MILLIS_MAX = 60_000;

    /**
     * Library top-ups while one reader follows the feed from its end (pages of up to 1,000, long polls of 500 ms):
     * the top-ups show what a follower costs the writers, the note what it reads per second and how long it took
     * to catch up once they stopped. The cost of writing the events themselves is in every write workload: compare
     * with a run of the code before events.
     */
    private void followed(Ledger ledger) {
        for (int c : settings.concurrencies()) {
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
            String start = ledger.eventsEnd();
            java.util.concurrent.CompletableFuture<Long> follower =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> follow(ledger, start, writing, read));
            Result topUps = LibraryLoad.run(
                    Workloads.FOLLOWED_TOPUPS,
                    ledger,
                    c,
                    settings.seconds(),
                    repetitionSeed,
                    (l, random, n) -> apply(
                            l,
                            Operation.topUp(
                                    "u" + random.nextInt(TOPUP_USERS),
                                    "GOLD_COINS",
                                    1 + random.nextInt(1_000),
                                    "fo-" + c + "-" + n)));
            long readWhileWriting = read.get();
            writing.set(false);
            long caughtUpMillis = follower.join();
            record(
                    topUps.withNote(String.format(
                            "the follower read %.0f events/s while the writers ran, and caught up %d ms after",
                            readWhileWriting / (double) settings.seconds(), caughtUpMillis)),
                    "topup_uniform@" + c);
        }
    }

    /**
     * Follows the feed from {@code start} while {@code writing}, then to its end: returns how long the catching up
     * took (bounded by {@link #CATCH_UP_MILLIS_MAX}).
     */
    private static long follow(
            Ledger ledger,
            String start,
            java.util.concurrent.atomic.AtomicBoolean writing,
            java.util.concurrent.atomic.AtomicLong read) {
        String cursor = start;
        long stoppedAt = 0;
        String end = null;
        java.time.Duration poll = java.time.Duration.ofMillis(500);
        for (int page = 0; page < 10_000_000; page++) {
            if (!writing.get() && end == null) {
                stoppedAt = System.nanoTime();
                end = ledger.eventsEnd();
            }
            if (end != null
                    && (EventQuery.position(cursor) >= EventQuery.position(end)
                            || System.nanoTime() - stoppedAt > CATCH_UP_MILLIS_MAX * 1_000_000L)) {
                return (System.nanoTime() - stoppedAt) / 1_000_000L;
            }
            EventPage events = ledger.events(
                    new EventQuery(Optional.of(cursor), Set.of(), EventQuery.LIMIT_MAX, end == null ? poll : null));
            read.addAndGet(events.events().size());
            cursor = events.next();
        }
        return (System.nanoTime() - stoppedAt) / 1_000_000L;
    }

    private static final int CONTROLLED_USERS = 2_000;

    /**
     * Spends from wallets that all have a maximum balance and a daily spend limit (set high enough never to refuse):
     * what the controls' checks cost, in Java and in the database, beside "spends over paid and free lots".
     */
    private void controlled(Ledger ledger) {
        if (funded.add("controlled")) {
            List<Operation> funding = new ArrayList<>();
            for (int u = 0; u < CONTROLLED_USERS; u++) {
                String user = "ct" + u;
                ledger.setControls(
                        new ControlsChange(
                                user,
                                "GOLD_COINS",
                                Optional.empty(),
                                Optional.of(ControlsChange.Limit.of(Operation.AMOUNT_MAX)),
                                Optional.of(ControlsChange.Limit.of(Operation.AMOUNT_MAX)),
                                "bench"),
                        "bench");
                funding.add(Operation.topUp(user, "GOLD_COINS", 1_000_000_000L, "ct-paid-" + u));
            }
            fund(ledger, funding);
        }
        for (int c : settings.concurrencies()) {
            record(
                    LibraryLoad.run(
                            Workloads.CONTROLLED_SPENDS,
                            ledger,
                            c,
                            settings.seconds(),
                            repetitionSeed,
                            (l, random, n) -> apply(
                                    l,
                                    Operation.spend(
                                            "ct" + random.nextInt(CONTROLLED_USERS),
                                            "GOLD_COINS",
                                            1 + random.nextInt(500),
                                            "cs-" + c + "-" + n))),
                    "topup_uniform@" + c);
        }
    }

    /** Batches of top-ups the ledger is filled with before the reports are timed, from this many callers. */
    private static final int FILL_BATCH = 1_000;

    private static final int FILL_CALLERS = 4;

    /**
     * Times the outstanding report (now) and the activity report (over all of the bench's history) on the
     * ledger the workloads left, filled first to {@code reportEntries} entries when that is asked for: each is
     * one statement the database aggregates, so the bench's memory does not grow with the ledger.
     */
    private void reports(Ledger ledger, HikariDataSource pool, String schema) {
        Instant from = Instant.parse("2000-01-01T00:00:00Z");
        long entries = entries(pool, schema);
        if (settings.reportEntries() > entries) {
            long batches = (settings.reportEntries() - entries + 2L * FILL_BATCH - 1) / (2L * FILL_BATCH);
            log.println("bench: filling the ledger with " + batches + " batches of " + FILL_BATCH + " top-ups");
            java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.ExecutorService callers =
                    java.util.concurrent.Executors.newFixedThreadPool(FILL_CALLERS);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < FILL_CALLERS; t++) {
                    done.add(callers.submit(() -> {
                        java.util.Random random = new java.util.Random(settings.seed());
                        for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                            batch(ledger, random, FILL_BATCH, "fill-" + b);
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> future : done) {
                    future.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                callers.shutdownNow();
            }
            entries = entries(pool, schema);
        }
        Runtime runtime = Runtime.getRuntime();
        for (String workload : List.of(Workloads.REPORT_OUTSTANDING, Workloads.REPORT_ACTIVITY)) {
            System.gc();
            long heapBefore = runtime.totalMemory() - runtime.freeMemory();
            long started = System.nanoTime();
            Instant now = Instant.now();
            int assets = workload.equals(Workloads.REPORT_OUTSTANDING)
                    ? ledger.outstanding(now, Optional.empty()).assets().size()
                    : ledger.activity(from, now, Optional.empty()).assets().size();
            double millis = (System.nanoTime() - started) / 1e6;
            long heapAfter = runtime.totalMemory() - runtime.freeMemory();
            record(new Result(
                    workload,
                    "library",
                    1,
                    1_000 / millis,
                    millis,
                    millis,
                    millis,
                    1,
                    0,
                    0,
                    0,
                    "",
                    Double.NaN,
                    String.format(
                            "%,d entries, %d assets, %.0f ms, heap %+,d KB over the call",
                            entries, assets, millis, (heapAfter - heapBefore) / 1024)));
        }
    }

    private static long entries(HikariDataSource pool, String schema) {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            return Long.parseLong(scalar(statement, "SELECT count(*) FROM " + schema + ".ledger_entries"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LibraryLoad.Done apply(Ledger ledger, Operation operation) {
        ledger.apply(operation);
        return LibraryLoad.Done.ONE;
    }

    /** 60 % spends, 30 % top-ups, 10 % bonuses over a pool of users per caller count; spends may be refused. */
    private static Operation mixed(java.util.Random random, int concurrency, long n) {
        String user = "m" + concurrency + "-" + random.nextInt(5_000);
        long amount = 1L + random.nextInt(500);
        int dice = random.nextInt(10);
        if (dice < 6) {
            return Operation.spend(user, "GOLD_COINS", amount, "ms-" + concurrency + "-" + n);
        }
        return dice < 9
                ? Operation.topUp(user, "GOLD_COINS", amount, "mt-" + concurrency + "-" + n)
                : Operation.bonus(user, "GOLD_COINS", amount, "mb-" + concurrency + "-" + n);
    }

    private static LibraryLoad.Done batch(Ledger ledger, java.util.Random random, int size, String prefix) {
        List<Operation> operations = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            operations.add(Operation.topUp(
                    "b" + random.nextInt(TOPUP_USERS), "GOLD_COINS", 1 + random.nextInt(1_000), prefix + "-" + i));
        }
        BatchResult result = ledger.submit(Batch.independent(operations));
        long refused = result.outcomes().stream()
                .filter(o -> o instanceof Outcome.Refused)
                .count();
        return new LibraryLoad.Done(size, refused);
    }

    private void runHttp(Target target) throws IOException {
        Optional<Path> jar = settings.serverJar().filter(Files::isRegularFile);
        if (jar.isEmpty()) {
            environment.put(
                    "http",
                    "server jar not found ("
                            + settings.serverJar().map(Path::toString).orElse("none")
                            + "): HTTP runs skipped; give it with --server-jar (./mvnw -q -B install -DskipTests builds it)");
            return;
        }
        Optional<Path> wrk = HttpLoad.findWrk();
        environment.put(
                "http",
                "the server jar in its own JVM (-Xmx" + ServerProcess.HEAP + "), "
                        + (settings.serverJvmOptions().isEmpty()
                                ? "default settings"
                                : "JVM options " + String.join(" ", settings.serverJvmOptions()))
                        + "; closed-loop load: "
                        + (wrk.isPresent() ? "wrk (apt), 2 threads" : "the JDK HttpClient (wrk not installed)")
                        + "; open loop: the bench's own generator in a JVM of its own; every measured run after a"
                        + " warm-up with its own load until the server's JIT compiler threads settle");
        if (settings.http()) {
            runHttpWorkloads(target, jar.get(), wrk);
        }
        if (settings.firstMinuteSeconds() > 0) {
            runFirstMinute(target, jar.get(), wrk);
        }
    }

    private void runHttpWorkloads(Target target, Path jar, Optional<Path> wrk) {
        Path serverLog = settings.out().resolve("server.log");
        try (ServerProcess server = ServerProcess.start(
                jar,
                settings.serverJvmOptions(),
                target.urlWithCredentials(),
                Map.of("LOG_LEVEL", "info"),
                serverLog)) {
            environment.put("server start (launch to healthy)", String.format("%.1f s", server.startSeconds()));
            prefundReaders(target);
            try (HikariDataSource pool = target.pool(1, "bench-settle")) {
                settle(pool);
            }
            URI base = server.uri("/");
            double peak = 0;
            for (int c : settings.concurrencies()) {
                warmUp(
                        server,
                        Workloads.HTTP_TOPUPS + " @" + c,
                        (run, s) -> HttpLoad.closedLoop(
                                wrk, "warm-up", base, HttpLoad.Shape.topUps(run, TOPUP_USERS), c, s));
                HttpLoad.Shape shape = HttpLoad.Shape.topUps("http-" + settings.seed() + "-" + c, TOPUP_USERS);
                Result result = HttpLoad.closedLoop(wrk, Workloads.HTTP_TOPUPS, base, shape, c, settings.seconds());
                result = result.withNote(String.format("server RSS %.0f MB", server.sampleRss()));
                peak = Math.max(peak, result.opsPerSecond());
                record(result, "topup_uniform@" + c);
            }
            int connections = settings.concurrencyMax();
            for (int percent : Workloads.HTTP_OPEN_LOOP_PERCENTS) {
                double rate = Math.max(1, peak * percent / 100);
                String workload = Workloads.httpOpenLoop(percent);
                warmUp(
                        server,
                        workload,
                        (run, s) -> HttpLoad.openLoop(
                                "warm-up", base, HttpLoad.Shape.topUps(run, TOPUP_USERS), rate, connections, s));
                record(
                        HttpLoad.openLoop(
                                        workload,
                                        base,
                                        HttpLoad.Shape.topUps("open" + percent + "-" + settings.seed(), TOPUP_USERS),
                                        rate,
                                        connections,
                                        settings.seconds())
                                .withNote(String.format("server RSS %.0f MB", server.sampleRss())),
                        "topup_uniform@" + connections);
            }
            for (int c : settings.concurrencies()) {
                HttpLoad.Shape shape = HttpLoad.Shape.balanceReads(READ_USERS);
                warmUp(
                        server,
                        Workloads.HTTP_READS + " @" + c,
                        (run, s) -> HttpLoad.closedLoop(wrk, "warm-up", base, shape, c, s));
                Result result = HttpLoad.closedLoop(wrk, Workloads.HTTP_READS, base, shape, c, settings.seconds());
                record(result.withNote(String.format("server RSS %.0f MB", server.sampleRss())), "select-only@" + c);
            }
            environment.put(
                    "server RSS peak",
                    String.format("%.0f MB (heap limit %s)", server.rssPeakMegabytes(), ServerProcess.HEAP));
        }
    }

    /** One HTTP warm-up window: the run's load under a fresh run name (top-ups' references never repeat). */
    private interface WarmUpLoad {
        void run(String runName, int seconds);
    }

    /** Warms the server up with the measured run's own load until its JIT compilers settle; records how it went. */
    private void warmUp(ServerProcess server, String before, WarmUpLoad load) {
        WarmUp.Outcome outcome = settings.warmUp()
                .run(server.pid(), s -> load.run("warm-" + settings.seed() + "-" + warmUpWindows++, s));
        environment.put("warm-up before " + before, outcome.describe());
        log.println("bench: warm-up before " + before + ": " + outcome.describe());
    }

    /** A fresh server JVM under load from its first second; then the same JVM warmed up, for its steady state. */
    private void runFirstMinute(Target target, Path jar, Optional<Path> wrk) {
        int seconds = settings.firstMinuteSeconds();
        int bucket = Math.max(1, Math.min(3, seconds / 10));
        int connections = settings.concurrencyMax();
        log.printf("bench: first %d s of a fresh server under %d connections%n", seconds, connections);
        FirstMinute.Outcome outcome = FirstMinute.run(
                jar,
                settings.serverJvmOptions(),
                target.urlWithCredentials(),
                settings.out().resolve("server-first-minute.log"),
                wrk,
                connections,
                seconds,
                bucket,
                settings.warmUp(),
                settings.seconds(),
                "fm-" + settings.seed());
        sections.add(outcome.markdown());
        record(outcome.steady(), "topup_uniform@" + connections);
        String reached = outcome.secondsTo90Percent()
                .map(s -> String.format("reached after %.0f s of load", s))
                .orElse("not reached within " + seconds + " s");
        environment.put(
                "first minute",
                String.format(
                        "start %.1f s; 90 %% of the steady %,.0f/s %s; %,.0f/s on average over the first %d s",
                        outcome.startSeconds(),
                        outcome.steady().opsPerSecond(),
                        reached,
                        outcome.averageRate(),
                        seconds));
        log.println("bench: first minute: " + environment.get("first minute"));
    }

    /** The users whose balances the read workload asks for, funded through the library on the server's schema. */
    private void prefundReaders(Target target) {
        try (HikariDataSource pool = target.pool(4, "bench-prefund")) {
            LedgerConfig config = LedgerConfig.defaults().withCoalescing(0, 1, 1, 1_000);
            try (Ledger ledger = new Ledger(pool, config)) {
                for (int from = 0; from < READ_USERS; from += 1_000) {
                    List<Operation> operations = new ArrayList<>();
                    for (int u = from; u < Math.min(READ_USERS, from + 1_000); u++) {
                        operations.add(Operation.topUp("r" + u, "GOLD_COINS", 100, "fund-r" + u));
                    }
                    ledger.submit(Batch.independent(operations));
                }
            }
        }
    }

    private Result record(Result result) {
        results.add(result);
        log.printf(
                "bench: %-34s %-13s c=%-3d %,10.0f ops/s%n",
                result.workload(), result.driver(), result.concurrency(), result.opsPerSecond());
        return result;
    }

    private Result record(Result result, String baselineKey) {
        if (library != null) {
            library.add(new Repetitions.Run(result, baselineKey, repetition, position, unit));
            logRun(result, repetition);
            return result;
        }
        Result baseline = baselines.get(baselineKey);
        return record(
                baseline == null
                        ? result
                        : result.withBaseline(
                                baseline.workload() + " @" + baseline.concurrency(), baseline.opsPerSecond()));
    }

    /** One run of a repeated row, as it ends. */
    private void logRun(Result result, int r) {
        log.printf(
                "bench:   run %d: %-34s %-13s c=%-3d %,10.0f ops/s%n",
                r + 1, result.workload(), result.driver(), result.concurrency(), result.opsPerSecond());
    }

    private Path writeReport() throws IOException {
        Path chart = settings.out().resolve("throughput.png");
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        for (String workload : List.of(
                Workloads.PGBENCH_UNIFORM,
                Workloads.PGBENCH_HOT,
                Workloads.LIBRARY_TOPUPS,
                Workloads.HTTP_TOPUPS,
                Workloads.PGBENCH_SELECT,
                Workloads.HTTP_READS)) {
            TreeMap<Integer, Double> points = new TreeMap<>();
            results.stream()
                    .filter(r -> r.workload().equals(workload))
                    .forEach(r -> points.put(r.concurrency(), r.opsPerSecond()));
            if (!points.isEmpty()) {
                series.put(workload, points);
            }
        }
        Chart.write(chart, "Throughput vs concurrency: ours against pgbench, same PostgreSQL, same run", series);
        Report.writeJson(settings.out().resolve("results.jsonl"), results);
        Path report = settings.out().resolve("report.md");
        Files.writeString(report, Report.markdown(environment, results, Targets.check(results, settings), sections));
        return report;
    }

    private static String scalar(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
