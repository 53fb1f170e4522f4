package dev.walletledger.core.internal;

import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.AuditReport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** An audit's violations: all counted, by check; the first {@link AuditReport#VIOLATIONS_MAX} kept. */
final class Findings {
    final List<AuditReport.Violation> listed = new ArrayList<>();
    final Map<AuditCheck, Long> counts = new EnumMap<>(AuditCheck.class);

    void add(AuditCheck check, String subject, String detail) {
        counts.merge(check, 1L, Long::sum);
        // The anchor's finding is listed however many came before it: it is what an anchor check is run for.
        if (listed.size() < AuditReport.VIOLATIONS_MAX || check == AuditCheck.ANCHOR) {
            listed.add(new AuditReport.Violation(check, subject, detail));
        }
    }
}
