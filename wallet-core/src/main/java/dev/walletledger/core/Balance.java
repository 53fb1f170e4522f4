package dev.walletledger.core;

import java.util.List;
import java.util.Objects;

/**
 * A user's current balance in one asset, in minor units; {@code decimalPlaces} tells how to show it. {@code
 * balance} is what the user can spend now: the coins of the lots not past their expiry, {@code paid} of them bought
 * and {@code free} given; {@code expiring} lists the lots among them that expire, soonest first (at most {@value
 * #EXPIRING_MAX}). {@code held} is what the user's open holds reserve, beside the balance and never part of it.
 */
public record Balance(
        String userId,
        String assetCode,
        long balance,
        int decimalPlaces,
        long held,
        long paid,
        long free,
        List<Lot> expiring) {
    /** The most lots {@link #expiring()} lists. */
    public static final int EXPIRING_MAX = 20;

    public Balance {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(assetCode, "assetCode");
        if (held < 0) {
            throw new IllegalArgumentException("held is never negative");
        }
        if (paid + free != balance) {
            throw new IllegalArgumentException("the balance is its paid and free parts");
        }
        expiring = List.copyOf(expiring);
    }

    /** A balance of paid coins that never expire. */
    public Balance(String userId, String assetCode, long balance, int decimalPlaces, long held) {
        this(userId, assetCode, balance, decimalPlaces, held, balance, 0, List.of());
    }

    public Balance(String userId, String assetCode, long balance, int decimalPlaces) {
        this(userId, assetCode, balance, decimalPlaces, 0);
    }
}
