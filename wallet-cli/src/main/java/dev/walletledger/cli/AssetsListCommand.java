package dev.walletledger.cli;

import dev.walletledger.core.Asset;
import dev.walletledger.http.wire.Bodies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet assets list}: the asset types. */
final class AssetsListCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "assets list",
            "list the asset types",
            "wallet assets list [--json]",
            "Lists every asset type: its code, name and the decimal places of its minor unit.",
            List.of(),
            0,
            List.of());

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        List<Asset> assets = call.ledger().assets();
        if (call.json()) {
            call.printJson(Bodies.assets(assets)); // as GET /api/v1/assets answers
            return ExitCode.OK;
        }
        Table table = Table.of("CODE", Table.Align.LEFT, "NAME", Table.Align.LEFT, "DECIMALS", Table.Align.RIGHT);
        assets.forEach(asset -> table.row(asset.code(), asset.name(), Integer.toString(asset.decimalPlaces())));
        table.print(call.out);
        return ExitCode.OK;
    }

    static Map<String, Object> json(Asset asset) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("code", asset.code());
        item.put("name", asset.name());
        item.put("decimal_places", asset.decimalPlaces());
        item.put("spend_order", asset.spendOrder().name());
        return item;
    }
}
