package dev.walletledger.core;

/**
 * Counters since the {@link Ledger} was built. {@code retries} counts attempts re-run after a
 * serialization failure, deadlock or lost connection; {@code busy} counts calls that ran out of retries.
 */
public record LedgerMetrics(long operationsApplied, long operationsReplayed, long operationsRefused,
                            long transactionsCommitted, long retries, long busy, long storageFailures) {}
