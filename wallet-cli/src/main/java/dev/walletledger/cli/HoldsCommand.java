package dev.walletledger.cli;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Hold;
import dev.walletledger.core.HoldPage;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import java.util.List;
import java.util.Map;

/**
 * {@code wallet holds list|show|expire}: a user's holds, one hold, and the sweep that releases holds past their
 * expiry (the server runs it by itself; library and CLI users run this, from cron for instance).
 */
final class HoldsCommand implements Command {
    private enum Kind {
        LIST,
        SHOW,
        EXPIRE
    }

    private final Kind kind;
    private final Synopsis synopsis;

    private HoldsCommand(Kind kind, Synopsis synopsis) {
        this.kind = kind;
        this.synopsis = synopsis;
    }

    static List<Command> all() {
        return List.of(
                new HoldsCommand(
                        Kind.LIST,
                        new Synopsis(
                                "holds list",
                                "a user's holds, newest first",
                                "wallet holds list USER [--asset CODE] [--status open|captured|voided|expired]"
                                        + " [--limit N] [--cursor C] [--json]",
                                "Lists the user's holds, newest first: what each held, captured and released,"
                                        + "\nwhat remains, its status and expiry. Holds past their expiry are"
                                        + " released first.",
                                List.of("USER"),
                                1,
                                List.of(
                                        Args.Option.value("--asset", "CODE", "one asset only"),
                                        Args.Option.value("--status", "STATUS", "open, captured, voided or expired"),
                                        Args.Option.value(
                                                "--limit", "N", "holds per page, 1 to " + HistoryPage.LIMIT_MAX),
                                        Args.Option.value("--cursor", "C", "the next page, as the last one said")))),
                new HoldsCommand(
                        Kind.SHOW,
                        new Synopsis(
                                "holds show",
                                "one hold as it stands",
                                "wallet holds show HOLD [--json]",
                                "Shows hold HOLD; one open past its expiry is released first, so it reads as"
                                        + " expired.\nAn unknown hold is HOLD_NOT_FOUND (exit 66).",
                                List.of("HOLD"),
                                1,
                                List.of())),
                new HoldsCommand(
                        Kind.EXPIRE,
                        new Synopsis(
                                "holds expire",
                                "release the holds past their expiry",
                                "wallet holds expire [--limit N]",
                                "Releases what remains of the holds past their expiry, each exactly once (under"
                                        + "\nits reserved reference wallet-ledger:expiry:<hold id>), in rounds of"
                                        + " up to --limit\nholds' wallets (100), until none is due or 100 rounds"
                                        + " have run. Prints how many it released.",
                                List.of(),
                                0,
                                List.of(Args.Option.value(
                                        "--limit", "N", "holds' wallets per round, 1 to " + HistoryPage.LIMIT_MAX)))));
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        return switch (kind) {
            case LIST -> list(call);
            case SHOW -> show(call);
            case EXPIRE -> expire(call);
        };
    }

    private static int limit(Invocation call, int otherwise) {
        return call.args
                .value("--limit")
                .map(text -> (int) Args.wholeNumber("--limit", text, 1, HistoryPage.LIMIT_MAX))
                .orElse(otherwise);
    }

    private static ExitCode list(Invocation call) {
        String user = call.positional(0);
        Hold.Status status = call.args
                .value("--status")
                .map(text -> {
                    try {
                        return Hold.Status.parse("status", text);
                    } catch (WalletException e) {
                        throw new UsageException(
                                "--status must be open, captured, voided or expired, got " + Args.quoted(text));
                    }
                })
                .orElse(null);
        HoldPage page = call.ledger()
                .holds(
                        user,
                        call.args.value("--asset").orElse(null),
                        status,
                        call.args.value("--cursor").orElse(null),
                        limit(call, 50));
        if (call.json()) {
            call.printJson(Bodies.holds(user, page)); // as GET /api/v1/wallets/{user_id}/holds answers
            return ExitCode.OK;
        }
        Table table = Table.of(
                "HOLD", Table.Align.LEFT,
                "ASSET", Table.Align.LEFT,
                "AMOUNT", Table.Align.RIGHT,
                "REMAINING", Table.Align.RIGHT,
                "STATUS", Table.Align.LEFT,
                "EXPIRES", Table.Align.LEFT);
        for (Hold hold : page.holds()) {
            int decimals = call.decimalPlaces(hold.assetCode());
            table.row(
                    hold.id().toString(),
                    hold.assetCode(),
                    Units.major(hold.amount(), decimals),
                    Units.major(hold.remaining(), decimals),
                    hold.status().wireName(),
                    hold.expiresAt().toString());
        }
        table.print(call.out);
        page.nextCursor().ifPresent(cursor -> call.out.println("more: --cursor " + cursor));
        return ExitCode.OK;
    }

    private static ExitCode show(Invocation call) {
        java.util.UUID id = MovementCommand.holdId(call);
        Hold hold = call.ledger()
                .hold(id)
                .orElseThrow(() -> WalletException.of(
                        ErrorCode.HOLD_NOT_FOUND, "there is no hold " + id, Map.of("hold_id", id.toString())));
        if (call.json()) {
            call.printJson(Bodies.hold(hold)); // as GET /api/v1/holds/{hold_id} answers
            return ExitCode.OK;
        }
        int decimals = call.decimalPlaces(hold.assetCode());
        Table table = Table.of("FIELD", Table.Align.LEFT, "VALUE", Table.Align.LEFT);
        table.row("hold", hold.id().toString());
        table.row("reference", hold.referenceId());
        table.row("user", hold.userId());
        table.row("asset", hold.assetCode());
        table.row("amount", Units.major(hold.amount(), decimals));
        table.row("captured", Units.major(hold.captured(), decimals));
        table.row("released", Units.major(hold.released(), decimals));
        table.row("remaining", Units.major(hold.remaining(), decimals));
        table.row("status", hold.status().wireName());
        table.row("expires", hold.expiresAt().toString());
        table.row("created", hold.createdAt().toString());
        table.row("closed", hold.closed().map(Object::toString).orElse("-"));
        table.print(call.out);
        return ExitCode.OK;
    }

    /** The most rounds one run makes: each releases up to --limit wallets' holds. */
    static final int ROUNDS_MAX = 100;

    private static ExitCode expire(Invocation call) {
        int limit = limit(call, 100);
        long released = 0;
        for (int round = 0; round < ROUNDS_MAX; round++) {
            int expired = call.ledger().expireHolds(limit);
            released += expired;
            if (expired == 0) {
                break;
            }
        }
        call.out.println("released " + released + " expired hold" + (released == 1 ? "" : "s"));
        return ExitCode.OK;
    }
}
