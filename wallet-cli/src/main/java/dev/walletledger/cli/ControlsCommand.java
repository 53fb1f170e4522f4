package dev.walletledger.cli;

import dev.walletledger.core.ControlsChange;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletControls;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletStatus;
import dev.walletledger.http.wire.Bodies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code wallet freeze|unfreeze|close|limits|controls}: a wallet's controls (one user in one asset), set and read.
 * Each change is recorded with its {@code --reason} and {@code --actor}, append-only, and told as an event of the
 * feed. {@code --json} prints what {@code GET /api/v1/wallets/{user_id}/controls} answers.
 */
final class ControlsCommand implements Command {
    private enum Kind {
        FREEZE,
        UNFREEZE,
        CLOSE,
        LIMITS,
        SHOW
    }

    private static final List<String> WALLET = List.of("USER", "ASSET");
    private static final Args.Option REASON = Args.Option.value("--reason", "TEXT", "why: required, recorded");
    private static final Args.Option ACTOR =
            Args.Option.value("--actor", "NAME", "who, recorded with the change (cli:<login>)");
    private static final Args.Option REOPEN =
            Args.Option.flag("--reopen", "also change a CLOSED wallet (refused with WALLET_CLOSED without it)");

    private final Kind kind;
    private final Synopsis synopsis;

    private ControlsCommand(Kind kind, Synopsis synopsis) {
        this.kind = kind;
        this.synopsis = synopsis;
    }

    static List<Command> all() {
        return List.of(
                new ControlsCommand(
                        Kind.FREEZE,
                        new Synopsis(
                                "freeze",
                                "stop what takes coins out of a wallet",
                                "wallet freeze USER ASSET --reason TEXT [--actor NAME] [--reopen] [--json]",
                                """
                                Freezes the user's wallet in ASSET: spends, transfers out and new holds are refused
                                (WALLET_FROZEN); credits and captures of existing holds still work, and refunds,
                                chargebacks, adjustments, voids and expiries are never blocked. A closed wallet is
                                left closed unless --reopen. Prints the controls in force.""",
                                WALLET,
                                2,
                                List.of(REASON, ACTOR, REOPEN))),
                new ControlsCommand(
                        Kind.UNFREEZE,
                        new Synopsis(
                                "unfreeze",
                                "make a frozen wallet ACTIVE again",
                                "wallet unfreeze USER ASSET --reason TEXT [--actor NAME] [--reopen] [--json]",
                                """
                                Makes the user's wallet in ASSET ACTIVE again. A closed wallet is left closed
                                (WALLET_CLOSED) unless --reopen. Prints the controls in force.""",
                                WALLET,
                                2,
                                List.of(REASON, ACTOR, REOPEN))),
                new ControlsCommand(
                        Kind.CLOSE,
                        new Synopsis(
                                "close",
                                "refuse every user operation on a wallet",
                                "wallet close USER ASSET --reason TEXT [--actor NAME] [--json]",
                                """
                                Closes the user's wallet in ASSET: every user operation is refused (WALLET_CLOSED);
                                refunds, chargebacks, adjustments, voids and expiries still move, so money owed back
                                always can. unfreeze --reopen opens it again. Prints the controls in force.""",
                                WALLET,
                                2,
                                List.of(REASON, ACTOR))),
                new ControlsCommand(
                        Kind.LIMITS,
                        new Synopsis(
                                "limits",
                                "a wallet's maximum balance and daily spend limit",
                                "wallet limits USER ASSET [--max-balance N|none] [--daily-spend N|none]"
                                        + " [--reason TEXT] [--json]",
                                """
                                Without an option, shows the wallet's controls. --max-balance caps what the wallet
                                may hold (all its accounts, held coins included): a credit past it is refused with
                                LIMIT_EXCEEDED. --daily-spend caps what spends, transfers out and holds take out in
                                one UTC day. Both in minor units, 0 to 10^15; none removes the limit; an option left
                                out keeps what is in force. A change needs --reason.""",
                                WALLET,
                                2,
                                List.of(
                                        Args.Option.value("--max-balance", "N", "minor units, or none"),
                                        Args.Option.value("--daily-spend", "N", "minor units a UTC day, or none"),
                                        REASON,
                                        ACTOR))),
                new ControlsCommand(
                        Kind.SHOW,
                        new Synopsis(
                                "controls",
                                "a wallet's controls, or their history",
                                "wallet controls USER ASSET [--history] [--json]",
                                """
                                Shows the user's controls in ASSET: status, limits, what counts against the daily
                                limit today, and the change that set them (ACTIVE and no limits when never set).
                                With --history, every change, newest first (at most 1000).""",
                                WALLET,
                                2,
                                List.of(Args.Option.flag("--history", "every change, newest first")))));
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        String user = call.positional(0);
        String asset = call.positional(1);
        return switch (kind) {
            case FREEZE -> status(call, user, asset, WalletStatus.FROZEN);
            case UNFREEZE -> status(call, user, asset, WalletStatus.ACTIVE);
            case CLOSE -> change(call, ControlsChange.status(user, asset, WalletStatus.CLOSED, reason(call)));
            case LIMITS -> limits(call, user, asset);
            case SHOW -> show(call, user, asset);
        };
    }

    /**
     * Freeze and unfreeze leave a closed wallet closed unless told: closing is the stronger stop, and an operator
     * lifting a freeze should not reopen an account someone closed. The check reads before the change writes, so a
     * close committed between the two is overwritten; the history shows both, and the race needs two operators.
     */
    private static ExitCode status(Invocation call, String user, String asset, WalletStatus status) {
        String reason = reason(call);
        if (!call.args.has("--reopen") && call.ledger().controls(user, asset).status() == WalletStatus.CLOSED) {
            throw WalletException.of(
                    ErrorCode.WALLET_CLOSED,
                    "the wallet of " + user + " in " + asset + " is closed; add --reopen to change it anyway",
                    Map.of("user_id", user, "asset_code", asset));
        }
        return change(call, ControlsChange.status(user, asset, status, reason));
    }

    private static ExitCode limits(Invocation call, String user, String asset) {
        Optional<ControlsChange.Limit> max = limit(call, "--max-balance");
        Optional<ControlsChange.Limit> daily = limit(call, "--daily-spend");
        if (max.isEmpty() && daily.isEmpty()) {
            if (call.args.value("--reason").isPresent()) {
                throw new UsageException("--reason without --max-balance or --daily-spend changes nothing");
            }
            return show(call, user, asset);
        }
        return change(call, new ControlsChange(user, asset, Optional.empty(), max, daily, reason(call)));
    }

    private static Optional<ControlsChange.Limit> limit(Invocation call, String option) {
        return call.args
                .value(option)
                .map(text -> text.equals("none")
                        ? ControlsChange.Limit.NONE
                        : ControlsChange.Limit.of(Args.wholeNumber(option, text, 0, Operation.AMOUNT_MAX)));
    }

    private static String reason(Invocation call) {
        return call.required("--reason");
    }

    private static ExitCode change(Invocation call, ControlsChange change) {
        String actor = call.args.value("--actor").orElse("cli:" + System.getProperty("user.name", "unknown"));
        print(call, call.ledger().setControls(change, actor));
        return ExitCode.OK;
    }

    private static ExitCode show(Invocation call, String user, String asset) {
        if (!call.args.has("--history")) {
            print(call, call.ledger().controls(user, asset));
            return ExitCode.OK;
        }
        List<WalletControls> changes = call.ledger().controlsHistory(user, asset);
        if (call.json()) {
            call.printJson(Bodies.controlsHistory(user, asset, changes)); // as .../controls/history answers
            return ExitCode.OK;
        }
        int decimals = call.decimalPlaces(asset);
        Table table = Table.of(
                "CHANGE", Table.Align.RIGHT,
                "AT", Table.Align.LEFT,
                "STATUS", Table.Align.LEFT,
                "MAX_BALANCE", Table.Align.RIGHT,
                "DAILY_SPEND", Table.Align.RIGHT,
                "ACTOR", Table.Align.LEFT,
                "REASON", Table.Align.LEFT);
        for (WalletControls change : changes) {
            table.row(
                    Long.toString(change.changeId().orElseThrow()),
                    change.changedAt().map(Object::toString).orElse("-"),
                    change.status().name(),
                    limitText(change.maxBalance(), decimals),
                    limitText(change.dailySpendLimit(), decimals),
                    change.actor().orElse("-"),
                    change.reason().orElse("-"));
        }
        table.print(call.out);
        return ExitCode.OK;
    }

    private static void print(Invocation call, WalletControls controls) {
        if (call.json()) {
            call.printJson(Bodies.controls(controls)); // as GET /api/v1/wallets/{user_id}/controls answers
            return;
        }
        int decimals = call.decimalPlaces(controls.assetCode());
        Table table = Table.of("FIELD", Table.Align.LEFT, "VALUE", Table.Align.LEFT);
        table.row("user", controls.userId());
        table.row("asset", controls.assetCode());
        table.row("status", controls.status().name());
        table.row("max balance", limitText(controls.maxBalance(), decimals));
        table.row("daily spend limit", limitText(controls.dailySpendLimit(), decimals));
        table.row("spent today", Units.major(controls.spentToday(), decimals));
        table.row(
                "changed",
                controls.changedAt().map(Object::toString).orElse("never")
                        + controls.actor().map(actor -> " by " + actor).orElse(""));
        table.row("reason", controls.reason().orElse("-"));
        table.print(call.out);
    }

    private static String limitText(OptionalLong limit, int decimals) {
        return limit.isPresent() ? Units.major(limit.getAsLong(), decimals) : "none";
    }
}
