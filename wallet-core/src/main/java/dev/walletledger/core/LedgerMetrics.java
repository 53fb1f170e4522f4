package dev.walletledger.core;

/**
 * Counters since the {@link Ledger} was built. {@code retries} counts attempts re-run after a
 * serialization failure, deadlock or lost connection; {@code busy} counts calls that ran out of retries.
 * {@code coalescedBatches} and {@code coalescedOperations} count the shared transactions single
 * operations were grouped into (their ratio is the mean group size); {@code queued} is the number
 * waiting for a lane right now. With a read replica ({@link Ledger#reads(Position)}):
 * {@code replicaReads} were served by it; {@code replicaBehind} went to the primary because the replica had
 * not replayed up to the reader's position; {@code replicaUnavailable} because it failed or was resting
 * after a failure.
 */
public record LedgerMetrics(
        long operationsApplied,
        long operationsReplayed,
        long operationsRefused,
        long transactionsCommitted,
        long retries,
        long busy,
        long storageFailures,
        long coalescedBatches,
        long coalescedOperations,
        long queued,
        long replicaReads,
        long replicaBehind,
        long replicaUnavailable) {}
