package dev.walletledger.core;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@link #userId()} is that posting's owner. {@code balances} holds, for every user the transaction posts to
 * (in the order of their first posting), that user's balance in the asset right after it: what the ledger
 * counts as the balance (the {@code main} account), whichever of the user's accounts the postings touch.
 *
 * <p>A hold, capture, void or expiry names its hold ({@link #holdId()}) and tells what remained of it right
 * after ({@code holdRemaining}; empty for the other types).
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
        Map<String, Long> balances,
        OptionalLong holdRemaining,
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
        balances = Collections.unmodifiableMap(new LinkedHashMap<>(balances));
        reversals = List.copyOf(reversals);
        holdRemaining = holdRemaining == null ? OptionalLong.empty() : holdRemaining;
        if (holdRemaining.isPresent() != operation.type().movesHold()) {
            throw new IllegalArgumentException("what remains of the hold is told by a hold's transactions, only");
        }
        if (entries.stream().noneMatch(e -> e.walletKind() == WalletKind.USER)) {
            throw new IllegalArgumentException("a transaction has a USER posting");
        }
        for (Entry entry : entries) {
            if (entry.walletKind() == WalletKind.USER && !balances.containsKey(entry.owner())) {
                throw new IllegalArgumentException("a balance for every user posted to: " + entry.owner());
            }
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
        return balances.get(userId());
    }

    /** The balance right after this transaction of a user it posted to; empty if it did not. */
    public OptionalLong balanceOf(String userId) {
        Long balance = balances.get(userId);
        return balance == null ? OptionalLong.empty() : OptionalLong.of(balance);
    }

    /** The hold a hold, capture, void or expiry moves: a hold's own id is its transaction's. */
    public Optional<UUID> holdId() {
        if (type() == OperationType.HOLD) {
            return Optional.of(transactionId);
        }
        return operation.heldBy();
    }

    /**
     * What a capture, void or expiry released from the hold: its credits to the user's lots, and to BREAKAGE for
     * coins whose lot expired while they were held (zero for the other types).
     */
    public long released() {
        if (!type().movesHold() || type() == OperationType.HOLD) {
            return 0;
        }
        return entries.stream()
                .filter(e -> e.direction() == Direction.CREDIT
                        && (e.walletKind() == WalletKind.USER
                                ? !e.account().equals("held")
                                : e.owner().equals(SystemWallet.BREAKAGE.name())))
                .mapToLong(Entry::amount)
                .sum();
    }

    /**
     * The lots this transaction moved: the subject's postings to lots, in order, each as the class, expiry and
     * amount of its lot (a spend's, hold's, transfer's or chargeback's are the lots it took coins from; a top-up's
     * or bonus's the lot it credited). A capture's coins come out of the hold: its breakdown is by class alone
     * (what went to REVENUE is paid, to PROMO_REDEEMED free), without expiries. The amounts of a spend's or
     * hold's breakdown add up to its amount; a capture's to what it captured ({@link #captured()}), since the
     * rest of a final capture goes back to the lots rather than being spent.
     */
    public List<Lot> breakdown() {
        List<Lot> lots = new java.util.ArrayList<>();
        if (type() == OperationType.CAPTURE) {
            for (Entry entry : entries) {
                if (entry.walletKind() == WalletKind.SYSTEM && entry.direction() == Direction.CREDIT) {
                    if (entry.owner().equals(SystemWallet.REVENUE.name())) {
                        lots.add(new Lot(LotClass.PAID, null, entry.amount()));
                    } else if (entry.owner().equals(SystemWallet.PROMO_REDEEMED.name())) {
                        lots.add(new Lot(LotClass.FREE, null, entry.amount()));
                    }
                }
            }
            return List.copyOf(lots);
        }
        String user = userId();
        for (Entry entry : entries) {
            if (entry.walletKind() == WalletKind.USER
                    && entry.owner().equals(user)
                    && !entry.account().equals("held")) {
                lots.add(Lot.of(entry.account(), entry.amount()));
            }
        }
        return List.copyOf(lots);
    }

    /** What a capture took from the hold into REVENUE and PROMO_REDEEMED (zero for the other types). */
    public long captured() {
        return type() == OperationType.CAPTURE ? amount - released() : 0;
    }

    /** The user's {@code held} account right after this transaction; empty if it did not post to it. */
    public OptionalLong heldAfter() {
        return entries.stream()
                .filter(e -> e.walletKind() == WalletKind.USER && e.account().equals("held"))
                .findFirst()
                .map(Entry::balanceAfter)
                .orElse(OptionalLong.empty());
    }

    /** The transaction a reversal or chargeback takes back. */
    public Optional<UUID> reversesTransaction() {
        return Optional.ofNullable(reverses);
    }

    /**
     * What may still be reversed: nothing for a reversal, chargeback, hold, void or expiry, else the amount (a
     * capture's captured part) less the
     * {@link #reversals()} read with it.
     */
    public long reversibleAmount() {
        if (!type().reversible()) {
            return 0;
        }
        return reversibleBase() - reversals.stream().mapToLong(Reversal::amount).sum();
    }

    /** What reversals may take back of this transaction in all: its amount; a capture's captured part. */
    public long reversibleBase() {
        return type() == OperationType.CAPTURE ? captured() : amount;
    }

    /** A chargeback's part recovered from the user's balance (what the user had, up to the amount). */
    public long recovered() {
        String user = userId();
        long debited = entries.stream()
                .filter(e -> e.walletKind() == WalletKind.USER && e.owner().equals(user))
                .mapToLong(e -> e.direction() == Direction.DEBIT ? e.amount() : -e.amount())
                .sum();
        long before = balanceAfter() + debited;
        return Math.max(0, Math.min(amount, before));
    }

    /** A chargeback's shortfall: the amount less what was {@link #recovered()}. */
    public long shortfall() {
        return amount - recovered();
    }

    /** The same transaction, marked as the answer to a replayed request. */
    public TransactionResult asReplay() {
        return new TransactionResult(
                transactionId,
                operation,
                assetCode,
                amount,
                reverses,
                createdAt,
                actor,
                entries,
                balances,
                holdRemaining,
                List.of(),
                true);
    }

    /** The same transaction with the reversals read with it. */
    public TransactionResult withReversals(List<Reversal> found) {
        return new TransactionResult(
                transactionId,
                operation,
                assetCode,
                amount,
                reverses,
                createdAt,
                actor,
                entries,
                balances,
                holdRemaining,
                found,
                replayed);
    }
}
