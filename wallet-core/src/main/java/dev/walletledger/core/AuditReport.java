package dev.walletledger.core;

import java.time.Duration;
import java.util.List;

/**
 * The result of {@link Ledger#verify}: what was checked, in one database snapshot, and every violation
 * found (at most {@link #VIOLATIONS_MAX} listed; {@code violationCount} counts them all).
 */
public record AuditReport(long assets, long wallets, long transactions, long entries, List<Violation> violations,
                          long violationCount, Duration elapsed) {
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
     * {@code transaction_shape}, {@code stored_balance}, {@code balance_chain}, {@code negative_balance}.
     */
    public record Violation(String check, String subject, String detail) {}
}
