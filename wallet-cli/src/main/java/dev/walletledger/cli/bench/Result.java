package dev.walletledger.cli.bench;

/**
 * One measured run. {@code baseline} names the pgbench run it is compared with (same invocation), and
 * {@code ratio} is this run's operations/s over the baseline's transactions/s (NaN when none).
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
        String note) {

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
                note);
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
                note.isEmpty() ? text : note + "; " + text);
    }
}
