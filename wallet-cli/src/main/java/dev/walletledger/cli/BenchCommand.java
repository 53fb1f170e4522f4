package dev.walletledger.cli;

import dev.walletledger.cli.bench.Bench;
import dev.walletledger.cli.bench.LibraryOrder;
import dev.walletledger.cli.bench.WarmUp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code wallet bench}: the benchmark against pgbench on the same PostgreSQL. */
final class BenchCommand implements Command {
    /** The server jar's file name, as the build and a release name it. */
    static final String SERVER_JAR = "wallet-server.jar";

    private static final Synopsis SYNOPSIS = new Synopsis(
            "bench",
            "measure throughput and latency against pgbench on the same PostgreSQL",
            "wallet bench [--quick] [--seconds N] [--concurrency 1,16,64] [--out DIR] [--server-jar JAR] "
                    + "[--no-http] [--no-pgbench] [--no-library] [--first-minute] [--server-jvm-options \"OPTS\"] "
                    + "[--seed N] [--repetitions N] [--only LIST]",
            """
            Starts a fresh, durable embedded PostgreSQL (or uses --database-url), records its version and
            settings, runs pgbench's top-up-shaped scripts (uniform, one hot row) and -S at each concurrency,
            then our workloads at the same concurrencies: library top-ups, a 60/30/10 spend/top-up/bonus mix,
            top-ups through one TREASURY vs sixteen, spends over paid and free lots, batches of 100 and
            1,000, the time of the outstanding and activity reports (on a ledger filled to --report-entries
            first, when asked), and over HTTP (the server jar
            in its own JVM, load from wrk when installed) top-ups, top-ups at 25, 50 and 75 % of their peak
            (open loop: a generator in a JVM of its own, latency from each request's intended send time), and
            balance reads, each after warming the server up with its own load until its JIT compilers settle.
            --first-minute then starts a fresh server and loads it at once for 60 s, in buckets of 3 s
            (throughput, p99, compiler CPU), and reports the time to 90 % of that JVM's warmed-up rate.
            --server-jvm-options are given to every server JVM (to compare JIT and class-sharing settings).
            Writes report.md (the table, with each run's ratio to its pgbench baseline, and the targets),
            results.jsonl and throughput.png to --out. Each pgbench and library row is the median of
            --repetitions runs, shown with their range; the library workloads run in a different order at each
            repetition (printed), and batches of 1,000 are measured against the COPY ceiling: the same rows
            written with COPY into copies of the ledger's tables, without triggers.
            --quick: 2 s per run at 1 and 4, one repetition, for CI.
            Never run it against a production database: it writes thousands of transactions.""",
            List.of(),
            0,
            List.of(
                    Args.Option.flag("--quick", "2 s per run, concurrency 1 and 4, pgbench scale 1 (for CI)"),
                    Args.Option.value("--seconds", "N", "seconds per run (15)"),
                    Args.Option.value("--concurrency", "LIST", "comma-separated callers/connections (1,16,64)"),
                    Args.Option.value("--out", "DIR", "where to write the results (bench-results/<UTC time>)"),
                    Args.Option.value(
                            "--server-jar",
                            "JAR",
                            "the server jar for the HTTP runs (default: " + "WALLET_SERVER_JAR, else " + SERVER_JAR
                                    + " beside this jar or in its build tree)"),
                    Args.Option.flag("--no-http", "skip the HTTP runs"),
                    Args.Option.flag("--no-pgbench", "skip the pgbench baselines (and so the ratios)"),
                    Args.Option.flag("--no-library", "skip the library workloads (for a look at HTTP alone)"),
                    Args.Option.flag(
                            "--first-minute",
                            "also measure a freshly started server's first 60 s under load (--quick: 4 s)"),
                    Args.Option.value(
                            "--server-jvm-options",
                            "\"OPTS\"",
                            "JVM options, separated by spaces, for every server JVM (after -Xmx256m)"),
                    Args.Option.value("--seed", "N", "the random seed (printed; a fresh one by default)"),
                    Args.Option.value(
                            "--report-entries",
                            "N",
                            "fill the ledger to N entries (batches of top-ups) before the reports are timed (0)"),
                    Args.Option.value(
                            "--repetitions",
                            "N",
                            "runs of each pgbench and library row, reported as their median with the range"
                                    + " (3; --quick: 1)"),
                    Args.Option.value(
                            "--only",
                            "LIST",
                            "run only these library workloads, by key or name (" + String.join(",", LibraryOrder.keys())
                                    + ")")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        boolean quick = call.args.has("--quick");
        int seconds = call.args
                .value("--seconds")
                .map(v -> number("--seconds", v, 1, 3_600))
                .orElse(quick ? 2 : 15);
        List<Integer> concurrencies = call.args
                .value("--concurrency")
                .map(BenchCommand::concurrencies)
                .orElse(quick ? List.of(1, 4) : List.of(1, 16, 64));
        long seed = call.args
                .value("--seed")
                .map(v -> (long) number("--seed", v, 0, Integer.MAX_VALUE))
                .orElse(System.nanoTime() & Integer.MAX_VALUE);
        Path out = call.args
                .value("--out")
                .map(Path::of)
                .orElse(Path.of(
                        "bench-results",
                        LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Optional<Path> jar = call.args
                .value("--server-jar")
                .map(Path::of)
                .or(() -> serverJar(System.getenv("WALLET_SERVER_JAR"), BenchCommand.class));
        int repetitions = call.args
                .value("--repetitions")
                .map(v -> number("--repetitions", v, 1, Bench.Settings.REPETITIONS_MAX))
                .orElse(quick ? 1 : 3);
        List<String> only = call.args.value("--only").map(BenchCommand::only).orElse(List.of());
        call.err.println("bench: seed " + seed + ", " + seconds + " s per run at " + concurrencies + ", " + repetitions
                + (repetitions == 1 ? " repetition" : " repetitions") + ", results in " + out);
        Bench.Settings settings = new Bench.Settings(
                seconds,
                concurrencies,
                quick ? 1 : 10,
                out,
                call.args.value("--database-url"),
                jar,
                !call.args.has("--no-http"),
                !call.args.has("--no-pgbench"),
                seed,
                call.args
                        .value("--report-entries")
                        .map(v -> Args.wholeNumber("--report-entries", v, 0, Bench.Settings.REPORT_ENTRIES_MAX))
                        .orElse(0L),
                repetitions,
                only,
                !call.args.has("--no-library"),
                call.args
                        .value("--server-jvm-options")
                        .map(BenchCommand::jvmOptions)
                        .orElse(List.of()),
                call.args.has("--first-minute") ? (quick ? 4 : 60) : 0,
                quick ? WarmUp.QUICK : WarmUp.FULL);
        Path report = new Bench(settings, call.err).run();
        call.out.println(
                "wrote " + report + ", " + out.resolve("results.jsonl") + " and " + out.resolve("throughput.png"));
        return ExitCode.OK;
    }

    /**
     * Where an installed tool finds its sibling: {@code WALLET_SERVER_JAR}, else {@value #SERVER_JAR} in the
     * directory of the jar {@code anchor} was loaded from, else in the build tree around it
     * ({@code wallet-cli/target/} → {@code wallet-http/target/}). Never the working directory's idea of it.
     */
    static Optional<Path> serverJar(String fromEnvironment, Class<?> anchor) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(Path.of(fromEnvironment.strip()));
        }
        try {
            Path self = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path directory = self.getParent(); // of target/classes or of the jar: target/ either way
            for (Path candidate : List.of(
                    directory.resolve(SERVER_JAR),
                    directory
                            .resolve("../../wallet-http/target")
                            .resolve(SERVER_JAR)
                            .normalize())) {
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no code source to start from: ask for --server-jar
        }
        return Optional.empty();
    }

    private static List<String> jvmOptions(String text) {
        try {
            return Bench.Settings.serverJvmOptions(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--server-jvm-options: " + e.getMessage());
        }
    }

    private static List<Integer> concurrencies(String text) {
        List<Integer> values = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            values.add(number("--concurrency", part.strip(), 1, 256));
        }
        if (values.size() > 8) {
            throw new UsageException("--concurrency takes at most 8 values");
        }
        return values;
    }

    /** Library workloads by key or name, comma-separated; each known, none twice. */
    private static List<String> only(String text) {
        List<String> keys = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String key = LibraryOrder.key(part)
                    .orElseThrow(() -> new UsageException("--only takes library workloads by key or name ("
                            + String.join(", ", LibraryOrder.keys()) + "), got " + Args.quoted(part.strip())));
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static int number(String option, String text, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new UsageException(
                option + " must be a whole number from " + min + " to " + max + ", got " + Args.quoted(text));
    }
}
