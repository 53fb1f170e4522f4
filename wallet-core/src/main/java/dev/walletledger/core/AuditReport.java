package dev.walletledger.core;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link Ledger#verify}: what was checked, in one database snapshot, and the violations found:
 * how many of each {@link AuditCheck} ({@code counts}), and the first {@link #VIOLATIONS_MAX} listed, plus the
 * {@code anchor} check's always. The per-transaction and per-wallet queries each stop after
 * {@link #VIOLATIONS_MAX}, so a count can be lower than the number of broken rows.
 */
public record AuditReport(
        long assets,
        long wallets,
        long transactions,
        long entries,
        List<Violation> violations,
        Map<AuditCheck, Long> counts,
        Duration elapsed) {
    public static final int VIOLATIONS_MAX = 100;

    public AuditReport {
        violations = List.copyOf(violations);
        EnumMap<AuditCheck, Long> copy = new EnumMap<>(AuditCheck.class);
        copy.putAll(counts);
        counts = java.util.Collections.unmodifiableMap(copy);
    }

    /** How many violations were found, of every check. */
    public long violationCount() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when every invariant holds. */
    public boolean consistent() {
        return violationCount() == 0;
    }

    /** Whether no violation of {@code check} was found. */
    public boolean holds(AuditCheck check) {
        return counts.getOrDefault(check, 0L) == 0;
    }

    /** One broken invariant: which {@link AuditCheck}, what broke it (a transaction, a wallet), and how. */
    public record Violation(AuditCheck check, String subject, String detail) {
        public Violation {
            java.util.Objects.requireNonNull(check, "check");
        }
    }
}
