package dev.walletledger.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A wallet's controls (one user in one asset): its status, its maximum balance (all its accounts, held coins
 * included) and its daily spend limit (spends, transfers out and holds placed on one UTC day; a released hold
 * still counts), each optional. {@code spentToday} is what counts against the daily limit today, while there is
 * one (0 otherwise).
 *
 * <p>As the record of a change ({@link Ledger#controlsHistory}) or the controls in force ({@link Ledger#controls}):
 * {@code changeId} is the change's id, with its {@code reason}, {@code actor} and time; all empty for a wallet whose
 * controls were never set (ACTIVE, no limits).
 */
public record WalletControls(
        String userId,
        String assetCode,
        WalletStatus status,
        OptionalLong maxBalance,
        OptionalLong dailySpendLimit,
        long spentToday,
        OptionalLong changeId,
        Optional<String> reason,
        Optional<String> actor,
        Optional<Instant> changedAt) {
    public WalletControls {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(assetCode, "assetCode");
        Objects.requireNonNull(status, "status");
        maxBalance = maxBalance == null ? OptionalLong.empty() : maxBalance;
        dailySpendLimit = dailySpendLimit == null ? OptionalLong.empty() : dailySpendLimit;
        changeId = changeId == null ? OptionalLong.empty() : changeId;
        reason = reason == null ? Optional.empty() : reason;
        actor = actor == null ? Optional.empty() : actor;
        changedAt = changedAt == null ? Optional.empty() : changedAt;
    }

    /** The controls of a wallet never controlled: ACTIVE, no limits. */
    public static WalletControls none(String userId, String assetCode) {
        return new WalletControls(userId, assetCode, WalletStatus.ACTIVE, null, null, 0, null, null, null, null);
    }
}
