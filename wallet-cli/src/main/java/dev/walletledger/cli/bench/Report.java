package dev.walletledger.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The run's results as a markdown table (with the environment) and as JSON lines for tools. */
final class Report {
    private Report() {}

    static String markdown(Map<String, String> environment, List<Result> results, List<String> targets) {
        return markdown(environment, results, targets, List.of());
    }

    /** With {@code sections}: further markdown (each with its own heading), after the results' notes. */
    static String markdown(
            Map<String, String> environment, List<Result> results, List<String> targets, List<String> sections) {
        StringBuilder out = new StringBuilder();
        out.append("### Environment\n\n");
        environment.forEach((key, value) ->
                out.append("- ").append(key).append(": ").append(value).append('\n'));
        out.append("\n### Results\n\n");
        out.append(
                "| workload | driver | conc. | ops/s | runs: min–max (spread) | p50 ms | p99 ms | max ms | refused | errors | retries | ratio | vs |\n");
        out.append("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            out.append(String.format(
                    "| %s | %s | %d | %,.0f | %s | %s | %s | %s | %,d | %,d | %,d | %s | %s |%n",
                    r.workload(),
                    r.driver(),
                    r.concurrency(),
                    r.opsPerSecond(),
                    range(r),
                    number(r.p50Millis()),
                    number(r.p99Millis()),
                    number(r.maxMillis()),
                    r.refused(),
                    r.errors(),
                    r.retries(),
                    Double.isNaN(r.ratio()) ? "" : String.format("%.2f×", r.ratio()),
                    r.baseline()));
        }
        List<Result> noted = results.stream().filter(r -> !r.note().isEmpty()).toList();
        if (!noted.isEmpty()) {
            out.append("\nNotes:\n\n");
            for (Result r : noted) {
                out.append("- ")
                        .append(r.workload())
                        .append(" @")
                        .append(r.concurrency())
                        .append(": ")
                        .append(r.note())
                        .append('\n');
            }
        }
        sections.forEach(section -> out.append('\n').append(section));
        if (!targets.isEmpty()) {
            out.append("\n### Targets\n\n");
            targets.forEach(line -> out.append("- ").append(line).append('\n'));
        }
        return out.toString();
    }

    static void writeJson(Path file, List<Result> results) {
        StringBuilder out = new StringBuilder();
        for (Result r : results) {
            out.append(String.format(
                    java.util.Locale.ROOT,
                    "{\"workload\":\"%s\",\"driver\":\"%s\",\"concurrency\":%d,\"ops_per_second\":%.1f,"
                            + "\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s,\"operations\":%d,\"refused\":%d,"
                            + "\"errors\":%d,\"retries\":%d,\"baseline\":\"%s\",\"ratio\":%s,"
                            + "\"repetitions\":[%s],\"min_ops_per_second\":%.1f,\"max_ops_per_second\":%.1f,"
                            + "\"spread_percent\":%.1f}%n",
                    r.workload(),
                    r.driver(),
                    r.concurrency(),
                    r.opsPerSecond(),
                    json(r.p50Millis()),
                    json(r.p99Millis()),
                    json(r.maxMillis()),
                    r.operations(),
                    r.refused(),
                    r.errors(),
                    r.retries(),
                    r.baseline(),
                    json(r.ratio()),
                    String.join(
                            ",",
                            r.repetitions().stream()
                                    .map(v -> String.format(java.util.Locale.ROOT, "%.1f", v))
                                    .toList()),
                    r.minOpsPerSecond(),
                    r.maxOpsPerSecond(),
                    r.spreadPercent()));
        }
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "3: 2,301–2,480 (7.7 %)": how many runs the median is of, their lowest and highest, and that spread. */
    private static String range(Result r) {
        if (r.repetitions().size() < 2) {
            return "1";
        }
        return String.format(
                "%d: %,.0f–%,.0f (%.1f %%)",
                r.repetitions().size(), r.minOpsPerSecond(), r.maxOpsPerSecond(), r.spreadPercent());
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : value < 10 ? String.format("%.2f", value) : String.format("%,.0f", value);
    }

    private static String json(double value) {
        return Double.isNaN(value) ? "null" : String.format(java.util.Locale.ROOT, "%.3f", value);
    }
}
