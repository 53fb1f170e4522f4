package dev.walletledger.core;

import java.util.Objects;

/**
 * A user's current balance in one asset, in minor units; {@code decimalPlaces} tells how to show it. {@code
 * balance} is what the user can spend; {@code held} is what the user's open holds reserve, beside it and never
 * part of it.
 */
public record Balance(String userId, String assetCode, long balance, int decimalPlaces, long held) {
    public Balance {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(assetCode, "assetCode");
        if (held < 0) {
            throw new IllegalArgumentException("held is never negative");
        }
    }

    /** A balance with nothing held. */
    public Balance(String userId, String assetCode, long balance, int decimalPlaces) {
        this(userId, assetCode, balance, decimalPlaces, 0);
    }
}
