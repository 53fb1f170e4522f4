package dev.walletledger.cli;

import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.http.wire.Bodies;
import java.io.PrintStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code wallet report outstanding|activity}: the finance reports, as a table, as the HTTP API's JSON ({@code
 * --json}, the same writer), or as CSV ({@code --csv}: a header row, then one row per asset, amounts in minor units).
 */
final class ReportCommand implements Command {
    private static final Args.Option ASSET = Args.Option.value("--asset", "CODE", "only this asset");
    private static final Args.Option CSV = Args.Option.flag("--csv", "print CSV: a header row, then one row per asset");

    private final boolean activity;
    private final Synopsis synopsis;

    private ReportCommand(boolean activity, Synopsis synopsis) {
        this.activity = activity;
        this.synopsis = synopsis;
    }

    static List<Command> all() {
        return List.of(
                new ReportCommand(
                        false,
                        new Synopsis(
                                "report outstanding",
                                "what the users hold at a moment: paid, free, held, expiring",
                                "wallet report outstanding --at TIME [--asset CODE] [--json|--csv]",
                                """
                                Per asset, at --at (an RFC 3339 time such as 2026-12-02T19:00:00Z): the paid and
                                free coins of the lots not past their expiry, what open holds held (apart, not
                                split by class), the coins expiring within 30 days after, and how many wallets
                                held coins. One snapshot, once the writes in flight that could be dated at or
                                before --at have committed (at most 5 s, else BUSY). Amounts in the table are in
                                major units; --json and --csv give minor units.""",
                                List.of(),
                                0,
                                List.of(
                                        Args.Option.value("--at", "TIME", "the moment (RFC 3339), not in the future"),
                                        ASSET,
                                        CSV))),
                new ReportCommand(
                        true,
                        new Synopsis(
                                "report activity",
                                "what moved over a period, and each lot class from opening to closing",
                                "wallet report activity --from TIME --to TIME [--asset CODE] [--json|--csv]",
                                """
                                Per asset, over the transactions dated after --from and at or before --to: paid
                                credited (top-ups), free granted (bonuses), paid and free spent, expired (to
                                BREAKAGE), refunded, charged back, adjusted (credits and debits), held, released
                                and transferred; and for paid and free lots apart, opening + credits - debits =
                                closing, each read from the entries. Figures that do not add up are refused with
                                REPORT_INCONSISTENT (the ledger is inconsistent: run wallet verify). It reads every
                                transaction. Amounts in the table are in major units; --json and --csv give minor
                                units.""",
                                List.of(),
                                0,
                                List.of(
                                        Args.Option.value("--from", "TIME", "the period starts after it (RFC 3339)"),
                                        Args.Option.value("--to", "TIME", "the period ends at it (RFC 3339)"),
                                        ASSET,
                                        CSV))));
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    /** A required option's RFC 3339 time. */
    static Instant moment(Invocation call, String option) {
        String text = call.required(option);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException(
                    option + " must be an RFC 3339 time such as 2026-12-02T19:00:00Z, got " + Args.quoted(text));
        }
    }

    @Override
    public ExitCode run(Invocation call) {
        if (call.json() && call.args.has("--csv")) {
            throw new UsageException("--json and --csv exclude each other");
        }
        Optional<String> asset = call.args.value("--asset");
        return activity ? activity(call, asset) : outstanding(call, asset);
    }

    private static ExitCode outstanding(Invocation call, Optional<String> asset) {
        OutstandingReport report = call.ledger().outstanding(moment(call, "--at"), asset);
        if (call.json()) { // as GET /api/v1/reports/outstanding answers
            call.printJson(Bodies.outstanding(report));
            return ExitCode.OK;
        }
        if (call.args.has("--csv")) {
            csv(
                    call.out,
                    List.of(
                            "asset_code",
                            "decimal_places",
                            "paid",
                            "free",
                            "held",
                            "expiring_within_30_days",
                            "wallets"));
            for (OutstandingReport.Line line : report.assets()) {
                csv(
                        call.out,
                        List.of(
                                line.assetCode(),
                                Integer.toString(line.decimalPlaces()),
                                Long.toString(line.paid()),
                                Long.toString(line.free()),
                                Long.toString(line.held()),
                                Long.toString(line.expiring()),
                                Long.toString(line.wallets())));
            }
            return ExitCode.OK;
        }
        call.out.println("outstanding at " + report.at());
        Table table = Table.of(
                "ASSET", Table.Align.LEFT,
                "PAID", Table.Align.RIGHT,
                "FREE", Table.Align.RIGHT,
                "HELD", Table.Align.RIGHT,
                "EXPIRING_30D", Table.Align.RIGHT,
                "WALLETS", Table.Align.RIGHT);
        for (OutstandingReport.Line line : report.assets()) {
            int places = line.decimalPlaces();
            table.row(
                    line.assetCode(),
                    Units.major(line.paid(), places),
                    Units.major(line.free(), places),
                    Units.major(line.held(), places),
                    Units.major(line.expiring(), places),
                    Long.toString(line.wallets()));
        }
        table.print(call.out);
        return ExitCode.OK;
    }

    /** The activity figures, by column name, in the order of the HTTP answer. */
    private static List<Figure> figures() {
        return List.of(
                new Figure("paid_credited", ActivityReport.Line::paidCredited),
                new Figure("free_granted", ActivityReport.Line::freeGranted),
                new Figure("paid_spent", ActivityReport.Line::paidSpent),
                new Figure("free_spent", ActivityReport.Line::freeSpent),
                new Figure("expired", ActivityReport.Line::expired),
                new Figure("refunded", ActivityReport.Line::refunded),
                new Figure("charged_back", ActivityReport.Line::chargedBack),
                new Figure("adjusted_credit", ActivityReport.Line::adjustedCredit),
                new Figure("adjusted_debit", ActivityReport.Line::adjustedDebit),
                new Figure("held", ActivityReport.Line::held),
                new Figure("released", ActivityReport.Line::released),
                new Figure("transferred", ActivityReport.Line::transferred),
                new Figure("paid_opening", line -> line.paid().opening()),
                new Figure("paid_credits", line -> line.paid().credited()),
                new Figure("paid_debits", line -> line.paid().debited()),
                new Figure("paid_closing", line -> line.paid().closing()),
                new Figure("free_opening", line -> line.free().opening()),
                new Figure("free_credits", line -> line.free().credited()),
                new Figure("free_debits", line -> line.free().debited()),
                new Figure("free_closing", line -> line.free().closing()));
    }

    private record Figure(String name, java.util.function.ToLongFunction<ActivityReport.Line> value) {}

    private static ExitCode activity(Invocation call, Optional<String> asset) {
        ActivityReport report = call.ledger().activity(moment(call, "--from"), moment(call, "--to"), asset);
        if (call.json()) { // as GET /api/v1/reports/activity answers
            call.printJson(Bodies.activity(report));
            return ExitCode.OK;
        }
        List<Figure> figures = figures();
        if (call.args.has("--csv")) {
            List<String> header = new ArrayList<>(List.of("asset_code", "decimal_places"));
            figures.forEach(figure -> header.add(figure.name()));
            csv(call.out, header);
            for (ActivityReport.Line line : report.assets()) {
                List<String> row = new ArrayList<>(List.of(line.assetCode(), Integer.toString(line.decimalPlaces())));
                figures.forEach(figure -> row.add(Long.toString(figure.value().applyAsLong(line))));
                csv(call.out, row);
            }
            return ExitCode.OK;
        }
        call.out.println("activity after " + report.from() + " up to " + report.to());
        List<Object> columns = new ArrayList<>(List.of("FIGURE", Table.Align.LEFT));
        for (ActivityReport.Line line : report.assets()) {
            columns.add(line.assetCode());
            columns.add(Table.Align.RIGHT);
        }
        Table table = Table.of(columns.toArray());
        for (Figure figure : figures) {
            List<String> row = new ArrayList<>(List.of(figure.name()));
            for (ActivityReport.Line line : report.assets()) {
                row.add(Units.major(figure.value().applyAsLong(line), line.decimalPlaces()));
            }
            table.row(row.toArray(new String[0]));
        }
        table.print(call.out);
        return ExitCode.OK;
    }

    /** One CSV record: fields quoted only when they need it (asset codes and numbers never do). */
    private static void csv(PrintStream out, List<String> fields) {
        List<String> quoted = new ArrayList<>();
        for (String field : fields) {
            quoted.add(field.matches("[A-Za-z0-9_.-]*") ? field : '"' + field.replace("\"", "\"\"") + '"');
        }
        out.println(String.join(",", quoted));
    }
}
