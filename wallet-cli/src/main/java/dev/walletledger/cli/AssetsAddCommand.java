package dev.walletledger.cli;

import dev.walletledger.core.Asset;
import java.util.List;

/** {@code wallet assets add}: a new asset type with its SYSTEM wallets. */
final class AssetsAddCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "assets add",
            "add an asset type",
            "wallet assets add --code CODE --name NAME --decimals D",
            """
            Adds an asset type with its TREASURY, BONUS_POOL, REVENUE, ADJUSTMENTS and CHARGEBACK_LOSS
            wallets. Adding the same definition again changes nothing; another definition under an
            existing code is ASSET_EXISTS (exit 65).""",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--code", "CODE", "1-50 of A-Z, 0-9 and _, starting with a letter (GEMS)"),
                    Args.Option.value("--name", "NAME", "a display name (Gems)"),
                    Args.Option.value(
                            "--decimals", "D", "decimal places of the minor unit, 0-" + Asset.DECIMAL_PLACES_MAX)));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String code = call.required("--code");
        String name = call.required("--name");
        int decimals = (int) Args.wholeNumber("--decimals", call.required("--decimals"), 0, Asset.DECIMAL_PLACES_MAX);
        Asset asset = call.ledger().addAsset(new Asset(code, name, decimals));
        if (call.json()) {
            call.printJson(AssetsListCommand.json(asset));
        } else {
            call.out.println("asset " + asset.code() + " (" + asset.name() + ", " + asset.decimalPlaces()
                    + " decimal places) is defined, with its TREASURY, BONUS_POOL, REVENUE, ADJUSTMENTS and"
                    + " CHARGEBACK_LOSS wallets");
        }
        return ExitCode.OK;
    }
}
