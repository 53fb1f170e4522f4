package dev.walletledger.cli.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of rows measured several times, kept apart until every repetition is done, then reported as one row
 * each: the median of its repetitions with their range. One run of a workload can be slow for reasons that are not
 * the workload's (the checkpoint of the previous phase, a neighbour's build on the same cores, a cold JVM); the
 * median of three is not moved by one such run, and the range shows how far apart the runs were.
 */
final class Repetitions {
    /** One measured run: which repetition, at which position of that repetition's order, in which unit. */
    record Run(Result result, String baselineKey, int repetition, int position, String unit) {}

    /** Rows by workload, driver and concurrency, in the order they first ran. */
    private final Map<String, List<Run>> runs = new LinkedHashMap<>();

    void add(Run run) {
        Result r = run.result();
        runs.computeIfAbsent(r.workload() + "\u0000" + r.driver() + "\u0000" + r.concurrency(), k -> new ArrayList<>())
                .add(run);
    }

    boolean isEmpty() {
        return runs.isEmpty();
    }

    /** Every row's runs, in the order the rows first ran. */
    List<List<Run>> rows() {
        return List.copyOf(runs.values());
    }

    /**
     * The median row of {@code runs} (one workload at one concurrency): operations/s, p50 and p99 are the medians
     * of the runs' own, max the highest, the counts the totals over all runs, the note the median run's; the
     * runs' operations/s are kept in the order they ran. One run is reported as it is.
     */
    static Result medianRow(List<Result> runs) {
        if (runs.size() == 1) {
            return runs.get(0);
        }
        List<Double> rates = runs.stream().map(Result::opsPerSecond).toList();
        double median = median(rates);
        Result middle = runs.stream()
                .min(Comparator.comparingDouble(r -> Math.abs(r.opsPerSecond() - median)))
                .orElseThrow();
        return new Result(
                middle.workload(),
                middle.driver(),
                middle.concurrency(),
                median,
                median(runs.stream().map(Result::p50Millis).toList()),
                median(runs.stream().map(Result::p99Millis).toList()),
                runs.stream().mapToDouble(Result::maxMillis).max().orElse(Double.NaN),
                runs.stream().mapToLong(Result::operations).sum(),
                runs.stream().mapToLong(Result::refused).sum(),
                runs.stream().mapToLong(Result::errors).sum(),
                runs.stream().mapToLong(Result::retries).sum(),
                "",
                Double.NaN,
                middle.note(),
                rates);
    }

    /** The median; of an even count, the mean of the middle two. NaN values (no latency measured) stay NaN. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
