package dev.walletledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change the ledger committed, as its feed tells it: exactly one per transaction (a money movement, a hold's
 * placement, capture, void or expiry, a lot's expiry) and per controls change, written by the same database
 * transaction as the change.
 *
 * <p>{@code id} is stable ({@code evt_} and a number): a webhook delivered twice carries the same one. {@code
 * cursor} is the event's place in the feed: pass it as {@link EventQuery#after()} to read what follows. {@code type}
 * is {@code transaction.topup}, {@code transaction.bonus}, {@code transaction.spend}, {@code transaction.transfer},
 * {@code transaction.reversal}, {@code transaction.chargeback}, {@code transaction.adjustment}, {@code hold.placed},
 * {@code hold.captured}, {@code hold.voided}, {@code hold.expired}, {@code lot.expired}, {@code lot.split}, {@code
 * wallet.frozen}, {@code wallet.unfrozen}, {@code wallet.closed}, {@code wallet.reopened} or {@code
 * wallet.limits_changed}. A transaction's event carries the transaction (with each touched user's balance right
 * after it, {@link TransactionResult#balances()}); a controls change's, the controls it set.
 */
public record Event(
        String id,
        String cursor,
        String type,
        Instant createdAt,
        Optional<String> actor,
        Optional<TransactionResult> transaction,
        Optional<WalletControls> controls) {
    /** Every event type, in the order of the list above. */
    public static final List<String> TYPES = List.of(
            "transaction.topup",
            "transaction.bonus",
            "transaction.spend",
            "transaction.transfer",
            "transaction.reversal",
            "transaction.chargeback",
            "transaction.adjustment",
            "hold.placed",
            "hold.captured",
            "hold.voided",
            "hold.expired",
            "lot.expired",
            "lot.split",
            "wallet.frozen",
            "wallet.unfrozen",
            "wallet.closed",
            "wallet.reopened",
            "wallet.limits_changed");

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        actor = actor == null ? Optional.empty() : actor;
        transaction = transaction == null ? Optional.empty() : transaction;
        controls = controls == null ? Optional.empty() : controls;
        if (transaction.isPresent() == controls.isPresent()) {
            throw new IllegalArgumentException("an event tells a transaction or a controls change");
        }
    }

    /** The event type a transaction of {@code type} is told as. */
    public static String typeOf(OperationType type) {
        return switch (type) {
            case HOLD -> "hold.placed";
            case CAPTURE -> "hold.captured";
            case VOID -> "hold.voided";
            case EXPIRY -> "hold.expired";
            case LOT_EXPIRY -> "lot.expired";
            case LOT_SPLIT -> "lot.split";
            case TOPUP, BONUS, SPEND, TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT ->
                "transaction." + type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The event type a controls change from {@code before} to {@code after} is told as. */
    public static String typeOf(WalletStatus before, WalletStatus after) {
        if (before == after) {
            return "wallet.limits_changed";
        }
        return switch (after) {
            case FROZEN -> "wallet.frozen";
            case CLOSED -> "wallet.closed";
            case ACTIVE -> before == WalletStatus.FROZEN ? "wallet.unfrozen" : "wallet.reopened";
        };
    }
}
