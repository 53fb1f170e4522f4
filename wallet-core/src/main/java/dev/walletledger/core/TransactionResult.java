package dev.walletledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * An applied ledger transaction: the request as recorded ({@code operation}), the asset and amount it
 * moved, the transaction it takes back ({@code reverses}, for a reversal or chargeback), who asked for it
 * ({@code actor}: an API key id or an operator's name, null when not told), its postings, and whether
 * this answer is a replay of an earlier identical request.
 *
 * <p>The first USER posting is the transaction's subject: the user a top-up, bonus, spend or adjustment
 * names, a transfer's sender, the user of the transaction a reversal or chargeback takes back.
 * {@link #userId()} and {@link #balanceAfter()} are that posting's.
 *
 * <p>{@code reversals} lists the reversals and chargebacks of this transaction when it was read by id or
 * reference; a write's answer leaves it empty.
 */
public record TransactionResult(
        UUID transactionId,
        Operation operation,
        String assetCode,
        long amount,
        UUID reverses,
        Instant createdAt,
        String actor,
        List<Entry> entries,
        List<Reversal> reversals,
        boolean replayed) {
    /** A reversal or chargeback of a transaction: its id, type and amount. */
    public record Reversal(UUID transactionId, OperationType type, long amount) {
        public Reversal {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(type, "type");
        }
    }

    public TransactionResult {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(assetCode, "assetCode");
        Objects.requireNonNull(createdAt, "createdAt");
        entries = List.copyOf(entries);
        reversals = List.copyOf(reversals);
        if (entries.stream().noneMatch(e -> e.walletKind() == WalletKind.USER)) {
            throw new IllegalArgumentException("a transaction has a USER posting");
        }
    }

    public String referenceId() {
        return operation.referenceId();
    }

    public OperationType type() {
        return operation.type();
    }

    public Metadata metadata() {
        return operation.metadata();
    }

    /** The subject's posting: the first USER one. */
    public Entry subject() {
        return entries.stream()
                .filter(e -> e.walletKind() == WalletKind.USER)
                .findFirst()
                .orElseThrow();
    }

    /** The subject's user id (see the class comment). */
    public String userId() {
        return subject().owner();
    }

    /** The subject's balance right after this transaction. */
    public long balanceAfter() {
        return subject().balanceAfter().orElseThrow();
    }

    /** The balance right after this transaction of a user it posted to; empty if it did not. */
    public OptionalLong balanceOf(String userId) {
        return entries.stream()
                .filter(e -> e.walletKind() == WalletKind.USER && e.owner().equals(userId))
                .map(Entry::balanceAfter)
                .findFirst()
                .orElse(OptionalLong.empty());
    }

    /** The transaction a reversal or chargeback takes back. */
    public Optional<UUID> reversesTransaction() {
        return Optional.ofNullable(reverses);
    }

    /**
     * What may still be reversed: nothing for a reversal or chargeback, else the amount less the
     * {@link #reversals()} read with it.
     */
    public long reversibleAmount() {
        if (type().takesBack()) {
            return 0;
        }
        return amount - reversals.stream().mapToLong(Reversal::amount).sum();
    }

    /** A chargeback's part recovered from the user's balance (what the user had, up to the amount). */
    public long recovered() {
        Entry user = subject();
        long before = user.balanceAfter().orElseThrow() + user.amount();
        return Math.max(0, Math.min(amount, before));
    }

    /** A chargeback's shortfall: the amount less what was {@link #recovered()}. */
    public long shortfall() {
        return amount - recovered();
    }

    /** The same transaction, marked as the answer to a replayed request. */
    public TransactionResult asReplay() {
        return new TransactionResult(
                transactionId, operation, assetCode, amount, reverses, createdAt, actor, entries, List.of(), true);
    }

    /** The same transaction with the reversals read with it. */
    public TransactionResult withReversals(List<Reversal> found) {
        return new TransactionResult(
                transactionId, operation, assetCode, amount, reverses, createdAt, actor, entries, found, replayed);
    }
}
