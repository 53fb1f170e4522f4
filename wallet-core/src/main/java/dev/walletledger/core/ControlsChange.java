package dev.walletledger.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A change of a wallet's controls ({@link Ledger#setControls}): each of {@code status}, {@code maxBalance} and
 * {@code dailySpendLimit} left empty keeps what is in force; a limit given as {@link Limit#NONE} removes it. The
 * {@code reason} is required and recorded with the change.
 */
public record ControlsChange(
        String userId,
        String assetCode,
        Optional<WalletStatus> status,
        Optional<Limit> maxBalance,
        Optional<Limit> dailySpendLimit,
        String reason) {
    /** The longest reason kept. */
    public static final int REASON_LENGTH_MAX = 500;

    /** A limit: a number of minor units from 0 to {@link Operation#AMOUNT_MAX}, or none. */
    public record Limit(OptionalLong value) {
        public static final Limit NONE = new Limit(OptionalLong.empty());

        public Limit {
            Objects.requireNonNull(value, "value");
            if (value.isPresent() && (value.getAsLong() < 0 || value.getAsLong() > Operation.AMOUNT_MAX)) {
                throw WalletException.invalid("limit", "must be between 0 and " + Operation.AMOUNT_MAX);
            }
        }

        public static Limit of(long value) {
            return new Limit(OptionalLong.of(value));
        }
    }

    public ControlsChange {
        userId = Checks.identifier("user_id", userId);
        assetCode = Checks.assetCode(assetCode);
        status = status == null ? Optional.empty() : status;
        maxBalance = maxBalance == null ? Optional.empty() : maxBalance;
        dailySpendLimit = dailySpendLimit == null ? Optional.empty() : dailySpendLimit;
        if (reason == null || reason.isBlank() || reason.codePointCount(0, reason.length()) > REASON_LENGTH_MAX) {
            throw WalletException.invalid(
                    "reason", "is required: 1 to " + REASON_LENGTH_MAX + " characters, not blank");
        }
    }

    /** Only the status changes. */
    public static ControlsChange status(String userId, String assetCode, WalletStatus status, String reason) {
        return new ControlsChange(userId, assetCode, Optional.of(status), null, null, reason);
    }
}
