package dev.walletledger.core;

import java.util.List;

/**
 * An asset type (a currency): its code, display name, the decimal places of its minor unit and the order in which
 * spends take its lots.
 */
public record Asset(String code, String name, int decimalPlaces, SpendOrder spendOrder) {
    /** The most decimal places an asset may have. */
    public static final int DECIMAL_PLACES_MAX = 18;

    /**
     * The starter assets: what the server and the CLI create in a new ledger unless told not to. The
     * library's migration creates no asset; an embedding application adds its own with
     * {@link Ledger#addAsset}.
     */
    public static final List<Asset> STARTERS = List.of(
            new Asset("GOLD_COINS", "Gold Coins", 0),
            new Asset("DIAMONDS", "Diamonds", 0),
            new Asset("LOYALTY_POINTS", "Loyalty Points", 0));

    public Asset {
        code = Checks.assetCode(code);
        name = Checks.identifier("name", name);
        if (decimalPlaces < 0 || decimalPlaces > DECIMAL_PLACES_MAX) {
            throw WalletException.invalid("decimal_places", "must be from 0 to " + DECIMAL_PLACES_MAX);
        }
        spendOrder = spendOrder == null ? SpendOrder.FREE_FIRST : spendOrder;
    }

    /** An asset whose spends take free coins first ({@link SpendOrder#FREE_FIRST}). */
    public Asset(String code, String name, int decimalPlaces) {
        this(code, name, decimalPlaces, SpendOrder.FREE_FIRST);
    }
}
