package dev.walletledger.cli;

import dev.walletledger.core.Balance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet balance USER}: current balances, in major and minor units. */
final class BalanceCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "balance",
            "show a user's balances",
            "wallet balance USER [--asset CODE] [--json]",
            """
            Shows the user's current balance in each asset (or in one, with --asset): in the asset's
            major units (12.50) and in minor units (1250). Never stale: it is the balance stored with
            the user's latest entry. A user never credited in --asset is WALLET_NOT_FOUND (exit 66).""",
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
        if (call.json()) {
            List<Object> items = new ArrayList<>();
            for (Balance balance : balances) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("asset_code", balance.assetCode());
                item.put("balance", balance.balance());
                item.put("decimal_places", balance.decimalPlaces());
                item.put("display", Units.major(balance.balance(), balance.decimalPlaces()));
                items.add(item);
            }
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("user_id", user);
            document.put("balances", items);
            call.printJson(document);
            return ExitCode.OK;
        }
        if (balances.isEmpty()) {
            call.out.println("user " + user + " has no wallets");
            return ExitCode.OK;
        }
        Table table =
                Table.of("ASSET", Table.Align.LEFT, "BALANCE", Table.Align.RIGHT, "MINOR_UNITS", Table.Align.RIGHT);
        for (Balance balance : balances) {
            table.row(
                    balance.assetCode(),
                    Units.major(balance.balance(), balance.decimalPlaces()),
                    Long.toString(balance.balance()));
        }
        table.print(call.out);
        return ExitCode.OK;
    }
}
