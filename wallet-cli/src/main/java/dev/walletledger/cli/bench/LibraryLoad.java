package dev.walletledger.cli.bench;

import dev.walletledger.core.Ledger;
import dev.walletledger.core.WalletException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Closed-loop load on the {@link Ledger} API in this JVM: each thread calls, waits, calls again. */
final class LibraryLoad {
    /** What one call did: how many operations it carried and how many of them were refused. */
    record Done(long operations, long refused) {
        static final Done ONE = new Done(1, 0);
        static final Done REFUSED = new Done(1, 1);
    }

    /** One call; {@code sequence} is unique across threads and runs (for reference ids). */
    @FunctionalInterface
    interface Step {
        Done run(Ledger ledger, Random random, long sequence);
    }

    private LibraryLoad() {}

    /**
     * Numbers every call of every run in this JVM: a workload run again (a repetition) makes new reference ids,
     * where numbering from 1 again would replay the earlier run's operations instead of applying new ones.
     */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    static Result run(String workload, Ledger ledger, int threads, int seconds, long seed, Step step) {
        AtomicLong sequence = SEQUENCE;
        LongAdder operations = new LongAdder();
        LongAdder refused = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Latencies> latencies = new ArrayList<>();
        long retriesBefore = ledger.metrics().retries();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Latencies mine = new Latencies();
            latencies.add(mine);
            Random random = new Random(seed * 31 + t);
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    try {
                        Done done = step.run(ledger, random, sequence.incrementAndGet());
                        operations.add(done.operations());
                        refused.add(done.refused());
                    } catch (WalletException e) {
                        if (e.code().retryable()) {
                            errors.increment();
                        } else {
                            operations.increment();
                            refused.increment();
                        }
                    }
                    mine.record(System.nanoTime() - begin);
                }
                return null;
            }));
        }
        try {
            for (Future<?> future : futures) {
                future.get(seconds + 120L, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(workload + " failed", e);
        } finally {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Latencies.Summary summary = Latencies.summarize(latencies);
        return new Result(
                workload,
                "library",
                threads,
                operations.sum() / elapsed,
                summary.p50Millis(),
                summary.p99Millis(),
                summary.maxMillis(),
                operations.sum(),
                refused.sum(),
                errors.sum(),
                ledger.metrics().retries() - retriesBefore,
                "",
                Double.NaN,
                "");
    }
}
