package dev.walletledger.core;

import java.util.Objects;

/** A user's current balance in one asset, in minor units; {@code decimalPlaces} tells how to show it. */
public record Balance(String userId, String assetCode, long balance, int decimalPlaces) {
    public Balance {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(assetCode, "assetCode");
    }
}
