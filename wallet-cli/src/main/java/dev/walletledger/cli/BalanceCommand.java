package dev.walletledger.cli;

import dev.walletledger.core.Balance;
import dev.walletledger.http.wire.Bodies;
import java.util.List;

/** {@code wallet balance USER}: current balances, in major and minor units. */
final class BalanceCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "balance",
            "show a user's balances",
            "wallet balance USER [--asset CODE] [--json]",
            """
            Shows the user's current balance in each asset (or in one, with --asset): in the asset's
            major units (12.50) and in minor units (1250), its paid and free parts, what open holds
            hold beside it, and the next lot to expire. Never stale: it is the balance stored with the
            user's latest entries, less any lot past its expiry. A user never credited in --asset is
            WALLET_NOT_FOUND (exit 66).""",
            List.of("USER"),
            1,
            List.of(Args.Option.value("--asset", "CODE", "only this asset")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String user = call.positional(0);
        List<Balance> balances = call.args
                .value("--asset")
                .map(asset -> List.of(call.ledger().balance(user, asset)))
                .orElseGet(() -> call.ledger().balances(user));
        if (call.json()) { // as GET /api/v1/wallets/{user_id}/balance answers, with or without asset_code
            call.printJson(
                    call.args.value("--asset").isPresent()
                            ? Bodies.balance(balances.get(0))
                            : Bodies.balances(user, balances));
            return ExitCode.OK;
        }
        if (balances.isEmpty()) {
            call.out.println("user " + user + " has no wallets");
            return ExitCode.OK;
        }
        Table table = Table.of(
                "ASSET", Table.Align.LEFT,
                "BALANCE", Table.Align.RIGHT,
                "MINOR_UNITS", Table.Align.RIGHT,
                "PAID", Table.Align.RIGHT,
                "FREE", Table.Align.RIGHT,
                "HELD", Table.Align.RIGHT,
                "NEXT_EXPIRY", Table.Align.LEFT);
        for (Balance balance : balances) {
            table.row(
                    balance.assetCode(),
                    Units.major(balance.balance(), balance.decimalPlaces()),
                    Long.toString(balance.balance()),
                    Units.major(balance.paid(), balance.decimalPlaces()),
                    Units.major(balance.free(), balance.decimalPlaces()),
                    Units.major(balance.held(), balance.decimalPlaces()),
                    balance.expiring().isEmpty()
                            ? "-"
                            : Units.major(balance.expiring().get(0).amount(), balance.decimalPlaces()) + " at "
                                    + balance.expiring().get(0).expiresAt());
        }
        table.print(call.out);
        return ExitCode.OK;
    }
}
