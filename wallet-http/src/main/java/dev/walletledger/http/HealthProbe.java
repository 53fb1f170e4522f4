package dev.walletledger.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The health route's answer within a fixed bound, however the database fails. Load balancers probe with
 * 1-10 s timeouts and read a timeout as "unknown", not "down"; a probe stuck in the pool or on a paused
 * database would also hold a worker thread per probe. So one check at a time runs on a thread of its own,
 * every probe that arrives meanwhile shares it, and no probe waits longer than {@link #ANSWER_MILLIS_MAX}:
 * past it the answer is "down".
 */
final class HealthProbe {
    /** The longest the health route waits for the database's answer. */
    static final long ANSWER_MILLIS_MAX = 2_000;

    private final BooleanSupplier check;
    /** One thread, gone after a minute idle. Its queue holds at most one check: one runs at a time. */
    private final ThreadPoolExecutor thread =
            new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                Thread t = new Thread(runnable, "wallet-health-probe");
                t.setDaemon(true);
                return t;
            });

    private CompletableFuture<Boolean> running;

    HealthProbe(BooleanSupplier check) {
        this.check = check;
        thread.allowCoreThreadTimeOut(true);
    }

    /** Whether the check passed within {@link #ANSWER_MILLIS_MAX}; starts one unless one is running. */
    boolean up() {
        CompletableFuture<Boolean> current;
        synchronized (this) {
            if (running == null || running.isDone()) {
                running = CompletableFuture.supplyAsync(check::getAsBoolean, thread);
            }
            current = running;
        }
        try {
            return current.get(ANSWER_MILLIS_MAX, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
