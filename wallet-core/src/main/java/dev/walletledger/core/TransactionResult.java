package dev.walletledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An applied ledger transaction: the operation as recorded, the user's balance right after it, who
 * asked for it ({@code actor}: an API key id or an operator's name, null when not told), its two
 * entries, and whether this answer is a replay of an earlier identical request.
 */
public record TransactionResult(
        UUID transactionId,
        Operation operation,
        long balanceAfter,
        Instant createdAt,
        String actor,
        List<Entry> entries,
        boolean replayed) {
    public TransactionResult {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(createdAt, "createdAt");
        entries = List.copyOf(entries);
    }

    public String referenceId() {
        return operation.referenceId();
    }

    public OperationType type() {
        return operation.type();
    }

    public String userId() {
        return operation.userId();
    }

    public String assetCode() {
        return operation.assetCode();
    }

    public long amount() {
        return operation.amount();
    }

    public Metadata metadata() {
        return operation.metadata();
    }

    /** The same transaction, marked as the answer to a replayed request. */
    public TransactionResult asReplay() {
        return new TransactionResult(transactionId, operation, balanceAfter, createdAt, actor, entries, true);
    }
}
