package dev.walletledger.core;

/**
 * Hooks for the embedding application's logs and metrics; the ledger itself logs nothing. Called on
 * the thread doing the work, so implementations must be fast and must not throw.
 */
public interface LedgerListener {
    LedgerListener NONE = new LedgerListener() {};

    /** A database transaction failed with {@code sqlState} and will be tried again after {@code backoffMillis}. */
    default void retrying(String sqlState, int attempt, long backoffMillis) {}

    /** A database transaction holding {@code operations} operations committed after {@code nanos}. */
    default void committed(int operations, long nanos) {}
}
