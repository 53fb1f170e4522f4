package dev.walletledger.core;

/** Told how far {@link Ledger#verify} has come; called from the calling thread. */
@FunctionalInterface
public interface AuditProgress {
    AuditProgress NONE = (done, total) -> {};

    /** {@code done} of {@code total} units (wallets) have been checked. */
    void progressed(long done, long total);
}
