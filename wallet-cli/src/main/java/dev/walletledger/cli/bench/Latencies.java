package dev.walletledger.cli.bench;

import java.util.Arrays;
import java.util.List;

/** One thread's latencies in nanoseconds, kept in full up to {@link #SAMPLES_MAX} (then counted only). */
final class Latencies {
    static final int SAMPLES_MAX = 4_000_000;

    private long[] nanos = new long[4_096];
    private int size;
    private long count;

    void record(long latencyNanos) {
        count++;
        if (size == nanos.length) {
            if (size >= SAMPLES_MAX) {
                return;
            }
            nanos = Arrays.copyOf(nanos, Math.min(SAMPLES_MAX, size * 2));
        }
        nanos[size++] = latencyNanos;
    }

    long count() {
        return count;
    }

    /** p50, p99 and max over all threads' samples, in milliseconds. */
    record Summary(double p50Millis, double p99Millis, double maxMillis) {
        static final Summary NONE = new Summary(Double.NaN, Double.NaN, Double.NaN);
    }

    static Summary summarize(List<Latencies> all) {
        int total = all.stream().mapToInt(l -> l.size).sum();
        if (total == 0) {
            return Summary.NONE;
        }
        long[] merged = new long[total];
        int at = 0;
        for (Latencies latencies : all) {
            System.arraycopy(latencies.nanos, 0, merged, at, latencies.size);
            at += latencies.size;
        }
        Arrays.sort(merged);
        return new Summary(percentile(merged, 0.50), percentile(merged, 0.99), merged[total - 1] / 1e6);
    }

    private static double percentile(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
