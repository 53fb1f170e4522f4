package dev.walletledger.cli.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a freshly restarted node meets in a rolling deploy: a new server JVM put under closed-loop top-up
 * load the moment it answers its health check, measured in buckets of a few seconds (throughput, p99, the
 * JIT compilers' CPU), then warmed up until its compilers settle and measured again: that JVM's steady
 * state. The time to reach 90 % of it is the first bucket at or above it (each bucket is one load run, so
 * the answer's resolution is a bucket).
 */
final class FirstMinute {
    /** One bucket: seconds since the load began at its end, and what it measured. */
    record Bucket(double endSeconds, Result result, double compilerPercent) {}

    /** The whole measurement. */
    record Outcome(
            List<String> jvmOptions,
            double startSeconds,
            int connections,
            List<Bucket> buckets,
            WarmUp.Outcome warmUp,
            Result steady) {
        /** Seconds of load until the first bucket at ≥ 90 % of the steady rate (empty if none reached it). */
        Optional<Double> secondsTo90Percent() {
            return buckets.stream()
                    .filter(b -> b.result().opsPerSecond() >= 0.9 * steady.opsPerSecond())
                    .map(Bucket::endSeconds)
                    .findFirst();
        }

        /** Top-ups per second over all the buckets, the gaps between them included. */
        double averageRate() {
            long operations =
                    buckets.stream().mapToLong(b -> b.result().operations()).sum();
            double elapsed =
                    buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1).endSeconds();
            return elapsed == 0 ? Double.NaN : operations / elapsed;
        }

        String markdown() {
            StringBuilder out = new StringBuilder("### First minute of a freshly started server\n\n");
            out.append(String.format(
                    "Server JVM options: %s. Started (launch to healthy) in %.1f s, then at once %d connections"
                            + " of closed-loop top-ups; each row is one load run.%n%n",
                    jvmOptions.isEmpty() ? "none beyond the heap" : "`" + String.join(" ", jvmOptions) + "`",
                    startSeconds,
                    connections));
            out.append(
                    "| s of load | top-ups/s | % of steady | p50 ms | p99 ms | errors | compiler CPU, % of one core |\n");
            out.append("|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Bucket b : buckets) {
                out.append(String.format(
                        "| %.0f | %,.0f | %.0f | %.1f | %.1f | %,d | %.0f |%n",
                        b.endSeconds(),
                        b.result().opsPerSecond(),
                        100 * b.result().opsPerSecond() / steady.opsPerSecond(),
                        b.result().p50Millis(),
                        b.result().p99Millis(),
                        b.result().errors(),
                        b.compilerPercent()));
            }
            out.append(String.format(
                    "%nSteady state (the same JVM warmed up: %s): %,.0f top-ups/s, p99 %.1f ms. Over the buckets:"
                            + " %,.0f top-ups/s on average (%.0f %% of steady). ",
                    warmUp.describe(),
                    steady.opsPerSecond(),
                    steady.p99Millis(),
                    averageRate(),
                    100 * averageRate() / steady.opsPerSecond()));
            out.append(secondsTo90Percent()
                    .map(s -> String.format(
                            "90 %% of it reached after %.0f s of load (%.0f s after launch).%n", s, s + startSeconds))
                    .orElse(String.format(
                            "90 %% of it not reached within the %.0f s measured.%n",
                            buckets.isEmpty()
                                    ? 0
                                    : buckets.get(buckets.size() - 1).endSeconds())));
            return out.toString();
        }
    }

    private FirstMinute() {}

    /**
     * Starts the server, loads it for {@code seconds} in buckets of {@code bucketSeconds}, warms it up, and
     * measures {@code steadySeconds}. The log goes to {@code log}.
     */
    static Outcome run(
            Path jar,
            List<String> jvmOptions,
            String jdbcUrl,
            Path log,
            Optional<Path> wrk,
            int connections,
            int seconds,
            int bucketSeconds,
            WarmUp warmUp,
            int steadySeconds,
            String runName) {
        try (ServerProcess server = ServerProcess.start(jar, jvmOptions, jdbcUrl, Map.of("LOG_LEVEL", "info"), log)) {
            URI base = server.uri("/");
            List<Bucket> buckets = new ArrayList<>();
            long loadStart = System.nanoTime();
            for (int b = 0; b < Math.max(1, seconds / bucketSeconds); b++) {
                Map<Long, Long> before = CompilerThreads.ticks(server.pid());
                long bucketStart = System.nanoTime();
                Result result = HttpLoad.closedLoop(
                        wrk,
                        "first minute",
                        base,
                        HttpLoad.Shape.topUps(runName + "-fm" + b, 1_000_000),
                        connections,
                        bucketSeconds);
                double elapsed = (System.nanoTime() - bucketStart) / 1e9;
                double compiler = CompilerThreads.secondsBetween(before, CompilerThreads.ticks(server.pid()));
                buckets.add(new Bucket((System.nanoTime() - loadStart) / 1e9, result, 100 * compiler / elapsed));
            }
            int[] window = {0};
            WarmUp.Outcome warmed = warmUp.run(
                    server.pid(),
                    s -> HttpLoad.closedLoop(
                            wrk,
                            "warm-up",
                            base,
                            HttpLoad.Shape.topUps(runName + "-fmw" + window[0]++, 1_000_000),
                            connections,
                            s));
            Result steady = HttpLoad.closedLoop(
                            wrk,
                            Workloads.HTTP_FRESH_STEADY,
                            base,
                            HttpLoad.Shape.topUps(runName + "-fms", 1_000_000),
                            connections,
                            steadySeconds)
                    .withNote(String.format(
                            "server JVM options: %s; server RSS %.0f MB",
                            jvmOptions.isEmpty() ? "none beyond the heap" : String.join(" ", jvmOptions),
                            server.sampleRss()));
            return new Outcome(List.copyOf(jvmOptions), server.startSeconds(), connections, buckets, warmed, steady);
        }
    }
}
