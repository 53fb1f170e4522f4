package dev.walletledger.cli;

import dev.walletledger.core.Balance;
import dev.walletledger.http.wire.Bodies;
import java.util.List;

/** {@code wallet balance USER}: current balances (or one as of a moment, with --at), in major and minor units. */
final class BalanceCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "balance",
            "show a user's balances",
            "wallet balance USER [--asset CODE [--at TIME]] [--json]",
            """
            Shows the user's current balance in each asset (or in one, with --asset): in the asset's
            major units (12.50) and in minor units (1250), its paid and free parts, what open holds
            hold beside it, and the next lot to expire. Never stale: it is the balance stored with the
            user's latest entries, less any lot past its expiry. A user never credited in --asset is
            WALLET_NOT_FOUND (exit 66).

            With --at (an RFC 3339 time such as 2026-12-02T19:00:00Z, and --asset), the balance as it
            stood at that moment, from the entries: a lot whose expiry is at or before it counts for
            nothing. It first waits (at most 5 s, else BUSY) for the writes in flight that could still
            be dated at or before it, so the same moment always reads the same. A time after the
            database's clock is VALIDATION_FAILED.""",
            List.of("USER"),
            1,
            List.of(
                    Args.Option.value("--asset", "CODE", "only this asset"),
                    Args.Option.value("--at", "TIME", "as of this moment (RFC 3339); needs --asset")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String user = call.positional(0);
        if (call.args.value("--at").isPresent()) {
            return balanceAt(call, user);
        }
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

    private static ExitCode balanceAt(Invocation call, String user) {
        java.time.Instant at = ReportCommand.moment(call, "--at");
        String asset = call.args.value("--asset").orElseThrow(() -> new UsageException("--at needs --asset"));
        Balance balance = call.ledger().balanceAt(user, asset, at);
        if (call.json()) { // as GET /api/v1/wallets/{user_id}/balance?asset_code=&at= answers
            call.printJson(Bodies.balanceAt(balance, at));
            return ExitCode.OK;
        }
        Table table = Table.of(
                "ASSET", Table.Align.LEFT,
                "AT", Table.Align.LEFT,
                "BALANCE", Table.Align.RIGHT,
                "MINOR_UNITS", Table.Align.RIGHT,
                "PAID", Table.Align.RIGHT,
                "FREE", Table.Align.RIGHT,
                "HELD", Table.Align.RIGHT);
        table.row(
                balance.assetCode(),
                at.toString(),
                Units.major(balance.balance(), balance.decimalPlaces()),
                Long.toString(balance.balance()),
                Units.major(balance.paid(), balance.decimalPlaces()),
                Units.major(balance.free(), balance.decimalPlaces()),
                Units.major(balance.held(), balance.decimalPlaces()));
        table.print(call.out);
        return ExitCode.OK;
    }
}
