package dev.walletledger.cli;

import dev.walletledger.core.LedgerStats;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet stats}: counts per asset and each asset's sum, which must be zero. */
final class StatsCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "stats",
            "counts per asset, and each asset's sum (must be 0)",
            "wallet stats [--json]",
            """
            Per asset: USER wallets, transactions, entries, the total of USER balances (in major units),
            and SUM, the signed total over all of the asset's wallets (USER and SYSTEM). SUM is 0 in a
            sound ledger; any other value exits 65 (run wallet verify to find where).""",
            List.of(),
            0,
            List.of());

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        LedgerStats stats = call.ledger().stats();
        boolean conserved =
                stats.assets().stream().allMatch(asset -> asset.sum().signum() == 0);
        if (call.json()) {
            List<Object> items = new ArrayList<>();
            for (LedgerStats.AssetStats asset : stats.assets()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("asset_code", asset.assetCode());
                item.put("user_wallets", asset.userWallets());
                item.put("transactions", asset.transactions());
                item.put("entries", asset.entries());
                item.put("user_balances", asset.userBalances());
                item.put("decimal_places", call.decimalPlaces(asset.assetCode()));
                item.put("sum", asset.sum());
                items.add(item);
            }
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("assets", items);
            document.put("conserved", conserved);
            call.printJson(document);
        } else {
            Table table = Table.of(
                    "ASSET",
                    Table.Align.LEFT,
                    "USER_WALLETS",
                    Table.Align.RIGHT,
                    "TRANSACTIONS",
                    Table.Align.RIGHT,
                    "ENTRIES",
                    Table.Align.RIGHT,
                    "USER_BALANCES",
                    Table.Align.RIGHT,
                    "SUM",
                    Table.Align.RIGHT);
            for (LedgerStats.AssetStats asset : stats.assets()) {
                int decimals = call.decimalPlaces(asset.assetCode());
                table.row(
                        asset.assetCode(),
                        Long.toString(asset.userWallets()),
                        Long.toString(asset.transactions()),
                        Long.toString(asset.entries()),
                        Units.major(asset.userBalances(), decimals),
                        sum(asset.sum(), decimals));
            }
            table.print(call.out);
        }
        if (!conserved) {
            call.err.println("wallet: an asset's sum is not 0: the ledger is inconsistent; run wallet verify");
            return ExitCode.DATA;
        }
        return ExitCode.OK;
    }

    private static String sum(BigInteger sum, int decimals) {
        return sum.signum() == 0 ? "0" : Units.major(sum, decimals);
    }
}
