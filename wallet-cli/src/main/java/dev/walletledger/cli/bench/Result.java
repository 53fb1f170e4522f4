package dev.walletledger.cli.bench;

import java.util.List;

/**
 * One reported row. {@code baseline} names the pgbench run it is compared with (same invocation), and
 * {@code ratio} is this row's operations/s over the baseline's transactions/s (NaN when none). A row measured
 * several times is the median of its repetitions ({@link Repetitions#medianRow}); {@code repetitions} then holds
 * each repetition's operations/s in the order they ran (empty: measured once).
 */
record Result(
        String workload,
        String driver,
        int concurrency,
        double opsPerSecond,
        double p50Millis,
        double p99Millis,
        double maxMillis,
        long operations,
        long refused,
        long errors,
        long retries,
        String baseline,
        double ratio,
        String note,
        List<Double> repetitions) {

    Result {
        repetitions = List.copyOf(repetitions);
    }

    /** A row measured once. */
    Result(
            String workload,
            String driver,
            int concurrency,
            double opsPerSecond,
            double p50Millis,
            double p99Millis,
            double maxMillis,
            long operations,
            long refused,
            long errors,
            long retries,
            String baseline,
            double ratio,
            String note) {
        this(
                workload,
                driver,
                concurrency,
                opsPerSecond,
                p50Millis,
                p99Millis,
                maxMillis,
                operations,
                refused,
                errors,
                retries,
                baseline,
                ratio,
                note,
                List.of());
    }

    Result withBaseline(String name, double baselineOpsPerSecond) {
        return new Result(
                workload,
                driver,
                concurrency,
                opsPerSecond,
                p50Millis,
                p99Millis,
                maxMillis,
                operations,
                refused,
                errors,
                retries,
                name,
                opsPerSecond / baselineOpsPerSecond,
                note,
                repetitions);
    }

    /** The same row, measured by another driver than the one that ran it (the COPY ceiling runs as library load). */
    Result withDriver(String name) {
        return new Result(
                workload,
                name,
                concurrency,
                opsPerSecond,
                p50Millis,
                p99Millis,
                maxMillis,
                operations,
                refused,
                errors,
                retries,
                baseline,
                ratio,
                note,
                repetitions);
    }

    Result withNote(String text) {
        return new Result(
                workload,
                driver,
                concurrency,
                opsPerSecond,
                p50Millis,
                p99Millis,
                maxMillis,
                operations,
                refused,
                errors,
                retries,
                baseline,
                ratio,
                note.isEmpty() ? text : note + "; " + text,
                repetitions);
    }

    /** The lowest and highest operations/s of the repetitions (this row's own when measured once). */
    double minOpsPerSecond() {
        return repetitions.stream().mapToDouble(Double::doubleValue).min().orElse(opsPerSecond);
    }

    double maxOpsPerSecond() {
        return repetitions.stream().mapToDouble(Double::doubleValue).max().orElse(opsPerSecond);
    }

    /** (max − min) ÷ median, in percent: 0 when measured once. */
    double spreadPercent() {
        return opsPerSecond > 0 ? 100 * (maxOpsPerSecond() - minOpsPerSecond()) / opsPerSecond : 0;
    }
}
