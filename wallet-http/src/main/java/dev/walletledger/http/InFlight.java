package dev.walletledger.http;

import java.util.concurrent.Semaphore;

/** The requests being handled at once (queued for a worker or running), bounded: beyond it, 503 BUSY. */
final class InFlight {
    private final Semaphore permits;
    private final int max;

    InFlight(int max) {
        this.max = max;
        this.permits = new Semaphore(max);
    }

    boolean tryEnter() {
        return permits.tryAcquire();
    }

    void leave() {
        permits.release();
    }

    int count() {
        return max - permits.availablePermits();
    }
}
