package dev.walletledger.core;

/** An asset type (a currency): its code, display name and the decimal places of its minor unit. */
public record Asset(String code, String name, int decimalPlaces) {
    /** The most decimal places an asset may have. */
    public static final int DECIMAL_PLACES_MAX = 18;

    public Asset {
        code = Checks.assetCode(code);
        name = Checks.identifier("name", name);
        if (decimalPlaces < 0 || decimalPlaces > DECIMAL_PLACES_MAX) {
            throw WalletException.invalid("decimal_places", "must be from 0 to " + DECIMAL_PLACES_MAX);
        }
    }
}
