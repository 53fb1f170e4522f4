package dev.walletledger.core;

import java.time.Duration;
import java.util.List;

/**
 * The result of {@link Ledger#verify}: what was checked, in one database snapshot, and the violations
 * found (at most {@link #VIOLATIONS_MAX} listed, and the {@code anchor} check's always; {@code violationCount}
 * counts those found, and the per-transaction and per-wallet queries each stop after {@link #VIOLATIONS_MAX}).
 */
public record AuditReport(
        long assets,
        long wallets,
        long transactions,
        long entries,
        List<Violation> violations,
        long violationCount,
        Duration elapsed) {
    public static final int VIOLATIONS_MAX = 100;

    public AuditReport {
        violations = List.copyOf(violations);
    }

    /** True when every invariant holds. */
    public boolean consistent() {
        return violationCount == 0;
    }

    /**
     * One broken invariant. {@code check} is stable: {@code conservation}, {@code transaction_balance},
     * {@code transaction_shape}, {@code stored_balance}, {@code balance_chain}, {@code negative_balance},
     * {@code hash_chain} (a transaction's hash does not match its content and the chain before it: the
     * first broken link of each wallet), {@code chain_head} (a wallet's stored head is not its last
     * transaction's hash), {@code time_order} (a wallet's transaction dated before the one before it, or a
     * stored last entry time that is not its last transaction's), {@code anchor} (history up to an
     * exported anchor has changed).
     */
    public record Violation(String check, String subject, String detail) {}
}
