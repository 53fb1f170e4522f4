package dev.walletledger.cli;

import dev.walletledger.core.Asset;
import dev.walletledger.core.SpendOrder;
import java.util.List;

/** {@code wallet assets add}: a new asset type with its SYSTEM wallets. */
final class AssetsAddCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "assets add",
            "add an asset type",
            "wallet assets add --code CODE --name NAME --decimals D [--spend-order ORDER]",
            """
            Adds an asset type with its TREASURY, BONUS_POOL, REVENUE, ADJUSTMENTS, CHARGEBACK_LOSS,
            PROMO_REDEEMED and BREAKAGE wallets, and the order in which spends take its lots (fixed
            once the asset exists). Adding the same definition again changes nothing; another
            definition under an existing code is ASSET_EXISTS (exit 65).""",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--code", "CODE", "1-50 of A-Z, 0-9 and _, starting with a letter (GEMS)"),
                    Args.Option.value("--name", "NAME", "a display name (Gems)"),
                    Args.Option.value(
                            "--decimals", "D", "decimal places of the minor unit, 0-" + Asset.DECIMAL_PLACES_MAX),
                    Args.Option.value(
                            "--spend-order",
                            "ORDER",
                            "free_first (the default), paid_first or expiring_first: which lots spends take first")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String code = call.required("--code");
        String name = call.required("--name");
        int decimals = (int) Args.wholeNumber("--decimals", call.required("--decimals"), 0, Asset.DECIMAL_PLACES_MAX);
        SpendOrder order = call.args
                .value("--spend-order")
                .map(text -> switch (text) {
                    case "free_first" -> SpendOrder.FREE_FIRST;
                    case "paid_first" -> SpendOrder.PAID_FIRST;
                    case "expiring_first" -> SpendOrder.EXPIRING_FIRST;
                    default ->
                        throw new UsageException("--spend-order must be free_first, paid_first or expiring_first, got "
                                + Args.quoted(text));
                })
                .orElse(SpendOrder.FREE_FIRST);
        Asset asset = call.ledger().addAsset(new Asset(code, name, decimals, order));
        if (call.json()) {
            call.printJson(AssetsListCommand.json(asset));
        } else {
            call.out.println("asset " + asset.code() + " (" + asset.name() + ", " + asset.decimalPlaces()
                    + " decimal places, spend order "
                    + asset.spendOrder().name().toLowerCase(java.util.Locale.ROOT)
                    + ") is defined, with its TREASURY, BONUS_POOL, REVENUE, ADJUSTMENTS, CHARGEBACK_LOSS,"
                    + " PROMO_REDEEMED and BREAKAGE wallets");
        }
        return ExitCode.OK;
    }
}
