package dev.walletledger.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * Warming a server JVM up until its JIT compilers have settled: the measured run's own load, in windows of
 * {@code windowSeconds}, until the compiler threads used less than {@code thresholdPercent} of one core over
 * a window, or {@code maxSeconds} have passed (then the run is measured anyway, and the report says so).
 * Without this a run measures a JVM that is still compiling the code it is timing.
 */
public record WarmUp(int windowSeconds, int maxSeconds, double thresholdPercent) {
    /** The full run's: 5 s windows, at most 2 minutes, below 2 % of one core. */
    public static final WarmUp FULL = new WarmUp(5, 120, 2.0);
    /** {@code --quick}'s: one window of 1 s (a token warm-up: it keeps the code path working, in seconds). */
    public static final WarmUp QUICK = new WarmUp(1, 1, 2.0);

    public WarmUp {
        if (windowSeconds < 1 || maxSeconds < windowSeconds || maxSeconds > 600) {
            throw new IllegalArgumentException("warm-up windows from 1 s, at most 600 s in all");
        }
        if (!(thresholdPercent > 0 && thresholdPercent <= 100)) {
            throw new IllegalArgumentException("the warm-up threshold is a percentage of one core");
        }
    }

    /** The bounds for runs of {@code seconds}: {@link #QUICK} for runs of at most 2 s, else {@link #FULL}. */
    static WarmUp forRunSeconds(int seconds) {
        return seconds <= 2 ? QUICK : FULL;
    }

    /** How a warm-up went: compiler CPU per window, in % of one core, and whether it fell below the threshold. */
    record Outcome(boolean settled, double seconds, List<Double> compilerPercents, WarmUp bounds) {
        String describe() {
            return String.format(
                            "%s after %.0f s; compiler threads per %d s window: ",
                            settled ? "settled" : "NOT settled (bound reached)", seconds, bounds.windowSeconds())
                    + compilerPercents.stream()
                            .map(p -> String.format("%.1f", p))
                            .collect(Collectors.joining(", ", "", " % of one core"))
                    + String.format(" (threshold %.0f %%)", bounds.thresholdPercent());
        }
    }

    /** Runs {@code load} (given a window's seconds) window after window on the server {@code pid}. */
    Outcome run(long pid, IntConsumer load) {
        List<Double> percents = new ArrayList<>();
        long started = System.nanoTime();
        int windows = maxSeconds / windowSeconds;
        for (int w = 0; w < windows; w++) {
            Map<Long, Long> before = CompilerThreads.ticks(pid);
            long windowStart = System.nanoTime();
            load.accept(windowSeconds);
            double elapsed = (System.nanoTime() - windowStart) / 1e9;
            double percent =
                    100 * CompilerThreads.secondsBetween(before, CompilerThreads.ticks(pid)) / Math.max(elapsed, 1e-3);
            percents.add(percent);
            if (percent < thresholdPercent) {
                return new Outcome(true, (System.nanoTime() - started) / 1e9, percents, this);
            }
        }
        return new Outcome(false, (System.nanoTime() - started) / 1e9, percents, this);
    }
}
