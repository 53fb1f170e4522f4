package dev.walletledger.cli;

import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Lot;
import dev.walletledger.http.wire.Bodies;
import java.util.List;

/**
 * {@code wallet lots list|expire}: a user's lots in one asset, and the sweep that expires lots past their expiry
 * (the server runs it by itself; library and CLI users run this, from cron for instance).
 */
final class LotsCommand implements Command {
    private final boolean expire;
    private final Synopsis synopsis;

    private LotsCommand(boolean expire, Synopsis synopsis) {
        this.expire = expire;
        this.synopsis = synopsis;
    }

    static List<Command> all() {
        return List.of(
                new LotsCommand(
                        false,
                        new Synopsis(
                                "lots list",
                                "a user's paid and free lots in one asset",
                                "wallet lots list USER --asset CODE [--json]",
                                "Lists the user's lots in the asset that hold coins: each one's class (PAID or FREE),"
                                        + "\nexpiry and amount, soonest expiry first (lots that never expire last)."
                                        + "\nA lot past its expiry counts for nothing, swept or not.",
                                List.of("USER"),
                                1,
                                List.of(Args.Option.value("--asset", "CODE", "the asset (GOLD_COINS)")))),
                new LotsCommand(
                        true,
                        new Synopsis(
                                "lots expire",
                                "expire the lots past their expiry",
                                "wallet lots expire [--limit N]",
                                "Moves the coins of each lot past its expiry to the asset's BREAKAGE, exactly once"
                                        + "\n(under its reserved reference wallet-ledger:lot-expiry:<wallet id>), in"
                                        + " rounds of up to\n--limit lots (100), until none is due or 100 rounds have"
                                        + " run. Prints how many\nexpiries it posted.",
                                List.of(),
                                0,
                                List.of(Args.Option.value(
                                        "--limit", "N", "lots per round, 1 to " + HistoryPage.LIMIT_MAX)))));
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        return expire ? expire(call) : list(call);
    }

    private static ExitCode list(Invocation call) {
        String user = call.positional(0);
        String asset = call.required("--asset");
        List<Lot> lots = call.ledger().lots(user, asset);
        if (call.json()) {
            call.printJson(Bodies.lots(user, asset, lots)); // as GET /api/v1/wallets/{user_id}/lots answers
            return ExitCode.OK;
        }
        int decimals = call.decimalPlaces(asset);
        Table table = Table.of(
                "CLASS", Table.Align.LEFT,
                "EXPIRES", Table.Align.LEFT,
                "AMOUNT", Table.Align.RIGHT,
                "MINOR_UNITS", Table.Align.RIGHT);
        for (Lot lot : lots) {
            table.row(
                    lot.lotClass().name(),
                    lot.expiry().map(Object::toString).orElse("never"),
                    Units.major(lot.amount(), decimals),
                    Long.toString(lot.amount()));
        }
        table.print(call.out);
        return ExitCode.OK;
    }

    private static ExitCode expire(Invocation call) {
        int limit = call.args
                .value("--limit")
                .map(text -> (int) Args.wholeNumber("--limit", text, 1, HistoryPage.LIMIT_MAX))
                .orElse(100);
        long posted = 0;
        for (int round = 0; round < HoldsCommand.ROUNDS_MAX; round++) {
            int expired = call.ledger().expireLots(limit);
            posted += expired;
            if (expired == 0) {
                break;
            }
        }
        call.out.println("posted " + posted + " expir" + (posted == 1 ? "y" : "ies"));
        return ExitCode.OK;
    }
}
