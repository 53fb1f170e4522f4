package dev.walletledger.core;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One entry on one of a user's accounts, with the transaction it belongs to: {@code account} says which
 * ({@code main} for the plain balance), {@code balanceAfter} is that account's balance right after it;
 * {@code counterparty} is the other user of a transfer (null otherwise), {@code reverses} the transaction a
 * reversal or chargeback takes back (null otherwise), {@code holdId} the hold a hold, capture, void or expiry
 * moves (null otherwise).
 */
public record HistoryItem(
        long entryId,
        UUID transactionId,
        String referenceId,
        OperationType type,
        String assetCode,
        String account,
        Direction direction,
        long amount,
        long balanceAfter,
        Instant createdAt,
        Metadata metadata,
        String counterparty,
        UUID reverses,
        UUID holdId) {
    public HistoryItem {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(referenceId, "referenceId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(assetCode, "assetCode");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(metadata, "metadata");
    }
}
