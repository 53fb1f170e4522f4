package dev.walletledger.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the issuer owes its users at one moment, per asset (ordered by code): the coins of the lots not past their
 * expiry at {@code at}, paid and free, as every wallet's entries say they stood then. All of it is read from one
 * snapshot of the ledger, once every write dated at or before {@code at} has committed.
 */
public record OutstandingReport(Instant at, List<Line> assets) {
    /** How far ahead of {@code at} a lot's expiry makes it count in {@link Line#expiring()}. */
    public static final Duration EXPIRING_WITHIN = Duration.ofDays(30);

    public OutstandingReport {
        Objects.requireNonNull(at, "at");
        assets = List.copyOf(assets);
    }

    /**
     * One asset at {@code at}.
     *
     * @param paid     the paid lots not past their expiry (negative where a debt chargeback left a wallet owing)
     * @param free     the free lots not past their expiry
     * @param held     what open holds held, reported apart and not split by class: a hold's coins left their lots
     *                 for the wallet's held account, which keeps no class (a capture or release decides later what
     *                 they were). Neither part of {@code paid} nor of {@code free}
     * @param expiring the coins of the lots (both classes) that expire after {@code at} and at most {@link
     *                 #EXPIRING_WITHIN} later: part of {@code paid} and {@code free}
     * @param wallets  how many users' wallets in the asset held coins: their lots not past expiry plus held above 0
     */
    public record Line(
            String assetCode, int decimalPlaces, long paid, long free, long held, long expiring, long wallets) {
        public Line {
            Objects.requireNonNull(assetCode, "assetCode");
            if (held < 0 || wallets < 0) {
                throw new IllegalArgumentException("held and wallets are never negative");
            }
        }
    }
}
