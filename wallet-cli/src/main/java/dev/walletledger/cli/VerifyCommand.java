package dev.walletledger.cli;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.AuditReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code wallet verify}: the full audit; exit 0 only when every invariant holds. */
final class VerifyCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "verify",
            "audit the whole ledger; exit 0 only when it is consistent",
            "wallet verify [--anchor ANCHOR] [--progress] [--json]",
            """
            Runs the ledger's full audit in one database snapshot: per-asset conservation (all wallets of
            an asset sum to zero), every transaction's balance and shape, every USER wallet's stored
            balance against its entries, every entry's balance_after against the running sum, no
            negative balance, and every wallet's hash chain recomputed from the recorded content. With
            --anchor (printed earlier by 'wallet anchor'), also proves that history up to that anchor is
            unchanged, even if someone rewrote rows and recomputed their hashes. Prints each violation
            found (the first %d) and a summary.

            Exit 0: consistent. Exit 65: violations found. A progress bar is drawn on stderr when it is
            a terminal and the audit takes longer than a second, or always with --progress.""".formatted(AuditReport.VIOLATIONS_MAX),
            List.of(),
            0,
            List.of(
                    Args.Option.flag("--progress", "draw the progress bar on stderr, terminal or not"),
                    Args.Option.value("--anchor", "ANCHOR", "an anchor from 'wallet anchor' (wl1.<entry>.<digest>)")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        Optional<Anchor> anchor = call.args.value("--anchor").map(Anchor::parse);
        ProgressBar progress = new ProgressBar(call.err, call.args.has("--progress"), call.interactive, call.nanoTime);
        AuditReport report;
        try {
            report = anchor.isPresent()
                    ? call.ledger().verify(anchor.get(), progress)
                    : call.ledger().verify(progress);
        } finally {
            progress.finish();
        }
        if (call.json()) {
            Map<String, Object> document = json(report);
            anchor.ifPresent(a -> document.put("anchor", anchorJson(a, report)));
            call.printJson(document);
        } else {
            print(call, report);
            anchor.ifPresent(a -> call.out.println(anchorLine(a, report)));
        }
        return report.consistent() ? ExitCode.OK : ExitCode.DATA;
    }

    /** Whether the audit found history up to the anchor unchanged: no violation of its check. */
    static boolean anchorMatches(AuditReport report) {
        return report.holds(AuditCheck.ANCHOR);
    }

    /** What the audit says of an anchor it was given, for people. */
    static String anchorLine(Anchor anchor, AuditReport report) {
        return anchorMatches(report)
                ? "anchor checked: history up to entry " + anchor.entryId() + " is what it was when " + anchor
                        + " was taken"
                : "ANCHOR MISMATCH: history up to entry " + anchor.entryId() + " has changed since " + anchor
                        + " was taken";
    }

    /** {@code {"line", "entry_id", "matches"}}: the anchor given, and whether history up to it is unchanged. */
    static Map<String, Object> anchorJson(Anchor anchor, AuditReport report) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("line", anchor.toString());
        document.put("entry_id", anchor.entryId());
        document.put("matches", anchorMatches(report));
        return document;
    }

    private static void print(Invocation call, AuditReport report) {
        if (!report.violations().isEmpty()) {
            Table table = Table.of("CHECK", Table.Align.LEFT, "SUBJECT", Table.Align.LEFT, "DETAIL", Table.Align.LEFT);
            report.violations().forEach(v -> table.row(v.check().wireName(), v.subject(), v.detail()));
            table.print(call.out);
            call.out.println();
        }
        String checked = report.assets() + " assets, " + report.wallets() + " wallets, " + report.transactions()
                + " transactions, " + report.entries() + " entries checked in "
                + String.format(Locale.ROOT, "%.3f s", report.elapsed().toNanos() / 1e9);
        if (report.consistent()) {
            call.out.println("consistent: " + checked);
        } else {
            long unlisted = report.violationCount() - report.violations().size();
            call.out.println("INCONSISTENT: " + report.violationCount() + " violation"
                    + (report.violationCount() == 1 ? "" : "s")
                    + (unlisted > 0 ? " (" + unlisted + " not listed)" : "") + "; " + checked);
        }
    }

    private static Map<String, Object> json(AuditReport report) {
        List<Object> violations = new ArrayList<>();
        for (AuditReport.Violation violation : report.violations()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("check", violation.check().wireName());
            item.put("subject", violation.subject());
            item.put("detail", violation.detail());
            violations.add(item);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("consistent", report.consistent());
        document.put("assets", report.assets());
        document.put("wallets", report.wallets());
        document.put("transactions", report.transactions());
        document.put("entries", report.entries());
        document.put("violation_count", report.violationCount());
        document.put("violations", violations);
        document.put("elapsed_millis", report.elapsed().toMillis());
        return document;
    }
}
