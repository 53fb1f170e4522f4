package dev.walletledger.core;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A two-phase hold as it stands: {@code amount} moved out of the user's spendable balance into the wallet's
 * {@code held} account by the hold transaction ({@code id}, under {@code referenceId}), of which {@code
 * captured} went to REVENUE and {@code released} back to the balance. What remains is still held, while the
 * hold is {@link Status#OPEN}; a closed hold never changes again.
 */
public record Hold(
        UUID id,
        String referenceId,
        String userId,
        String assetCode,
        long amount,
        long captured,
        long released,
        Status status,
        Instant expiresAt,
        Instant createdAt,
        Instant closedAt) {
    /** The longest a hold may last: 30 days, in seconds. */
    public static final long EXPIRY_SECONDS_MAX = 30L * 24 * 60 * 60;

    /** Where a hold stands. */
    public enum Status {
        /** Some of its amount remains held: it may be captured or voided until it expires. */
        OPEN,
        /** Closed by a capture: a final one, or one that took all that remained. */
        CAPTURED,
        /** Closed by a void: what remained went back to the balance. */
        VOIDED,
        /** Closed by its expiry: what remained went back to the balance. */
        EXPIRED;

        /** The status a query names: {@code open}, {@code captured}, {@code voided} or {@code expired}. */
        public static Status parse(String field, String value) {
            for (Status status : values()) {
                if (status.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return status;
                }
            }
            throw WalletException.invalid(field, "must be one of open, captured, voided, expired");
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Hold {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(referenceId, "referenceId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(assetCode, "assetCode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(createdAt, "createdAt");
        if (captured < 0 || released < 0 || captured + released > amount) {
            throw new IllegalArgumentException("a hold gives up at most its amount");
        }
        if ((status == Status.OPEN) != (captured + released < amount)
                || (status == Status.OPEN) != (closedAt == null)) {
            throw new IllegalArgumentException("a hold is open while some of it remains, and has no closing time");
        }
    }

    /** What is still held. */
    public long remaining() {
        return amount - captured - released;
    }

    /** When it closed; empty while open. */
    public Optional<Instant> closed() {
        return Optional.ofNullable(closedAt);
    }
}
