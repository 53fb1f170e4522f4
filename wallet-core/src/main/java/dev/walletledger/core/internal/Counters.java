package dev.walletledger.core.internal;

import dev.walletledger.core.LedgerMetrics;
import java.util.concurrent.atomic.LongAdder;

/** The ledger's counters; read as one {@link LedgerMetrics} snapshot. */
final class Counters {
    final LongAdder applied = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder committed = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder busy = new LongAdder();
    final LongAdder storageFailures = new LongAdder();

    public LedgerMetrics snapshot(Coalescer coalescer, ReadRouter router) {
        return new LedgerMetrics(
                applied.sum(),
                replayed.sum(),
                refused.sum(),
                committed.sum(),
                retries.sum(),
                busy.sum(),
                storageFailures.sum(),
                coalescer == null ? 0 : coalescer.batches(),
                coalescer == null ? 0 : coalescer.operations(),
                coalescer == null ? 0 : coalescer.queued(),
                router.fromReplica(),
                router.behind(),
                router.unavailable());
    }
}
