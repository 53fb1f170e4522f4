package dev.walletledger.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The performance targets, each judged from this run's results (never asserted in a test). */
final class Targets {
    private Targets() {}

    static List<String> check(List<Result> results, Bench.Settings settings) {
        int top = settings.concurrencyMax();
        List<String> lines = new ArrayList<>();
        ratio(results, Workloads.LIBRARY_TOPUPS, top)
                .ifPresent(
                        r -> lines.add(line("library top-ups at " + top + " callers ≥ 2.0× pgbench uniform", r, 2.0)));
        ratio(results, Workloads.HTTP_TOPUPS, top)
                .ifPresent(
                        r -> lines.add(line("HTTP top-ups at " + top + " connections ≥ 1.0× pgbench uniform", r, 1.0)));
        find(results, Workloads.HTTP_OPEN_LOOP_50, -1)
                .ifPresent(r -> lines.add(String.format(
                        "%s HTTP top-ups' p99 at 50 %% of peak (open loop, from the intended send time, %,.0f/s"
                                + " achieved) ≤ 25 ms, no errors: %.1f ms, %,d errors",
                        r.p99Millis() <= 25 && r.errors() == 0 ? "MET" : "MISSED",
                        r.opsPerSecond(),
                        r.p99Millis(),
                        r.errors())));
        Optional<Result> hot = find(results, Workloads.HOT, top);
        Optional<Result> spread = find(results, Workloads.SPREAD, top);
        if (hot.isPresent() && spread.isPresent()) {
            lines.add(line(
                    "all top-ups through one TREASURY ≥ 0.9× the spread run",
                    hot.get().opsPerSecond() / spread.get().opsPerSecond(),
                    0.9));
        }
        results.stream()
                .filter(r -> r.workload().equals(Workloads.BATCHES_OF_1000) && !Double.isNaN(r.ratio()))
                .max((a, b) -> Double.compare(a.ratio(), b.ratio()))
                .ifPresent(r -> lines.add(line(
                        "batches of 1,000 ≥ 20× pgbench uniform TPS (operations/s, best of " + "1 and 4 callers)",
                        r.ratio(),
                        20.0)));
        List<String> againstCeiling = new ArrayList<>();
        double lowest = Double.POSITIVE_INFINITY;
        for (Result batches : results) {
            Optional<Result> ceiling = find(results, Workloads.COPY_CEILING, batches.concurrency());
            if (batches.workload().equals(Workloads.BATCHES_OF_1000) && ceiling.isPresent()) {
                double ratio = batches.opsPerSecond() / ceiling.get().opsPerSecond();
                lowest = Math.min(lowest, ratio);
                againstCeiling.add(String.format("%.2f× at %d", ratio, batches.concurrency()));
            }
        }
        if (!againstCeiling.isEmpty()) {
            lines.add(String.format(
                    "%s batches of 1,000 ≥ 0.5× the COPY ceiling (the same rows written with COPY, no triggers;"
                            + " same callers): %s",
                    lowest >= 0.5 ? "MET" : "MISSED", String.join(", ", againstCeiling)));
        }
        ratio(results, Workloads.HTTP_READS, top)
                .ifPresent(r ->
                        lines.add(line("HTTP balance reads at " + top + " connections ≥ 0.5× pgbench -S", r, 0.5)));
        if (results.stream()
                .anyMatch(r -> r.driver().equals("wrk") || r.driver().startsWith("jdk"))) {
            long errors = results.stream()
                    .filter(r -> r.workload().startsWith(Workloads.HTTP_PREFIX))
                    .mapToLong(Result::errors)
                    .sum();
            lines.add((errors == 0 ? "MET" : "CHECK") + " peak load served with a heap of at most 256 MB"
                    + " (server run with -Xmx" + ServerProcess.HEAP + "; HTTP errors in all runs: " + errors + ")");
        }
        return lines;
    }

    private static Optional<Double> ratio(List<Result> results, String workload, int concurrency) {
        return find(results, workload, concurrency).map(Result::ratio).filter(r -> !r.isNaN());
    }

    private static Optional<Result> find(List<Result> results, String workload, int concurrency) {
        return results.stream()
                .filter(r -> r.workload().equals(workload) && (concurrency < 0 || r.concurrency() == concurrency))
                .reduce((first, second) -> second);
    }

    private static String line(String target, double ratio, double goal) {
        return String.format("%s %s: %.2f×", ratio >= goal ? "MET" : "MISSED", target, ratio);
    }
}
