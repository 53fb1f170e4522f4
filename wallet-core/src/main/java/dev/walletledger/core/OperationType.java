package dev.walletledger.core;

/**
 * The kinds of ledger transaction. The seed's three move currency between one user and one SYSTEM wallet
 * and carry one descriptive field; the others are built on the same engine of balanced postings.
 */
public enum OperationType {
    /** Purchased currency: debit the asset's TREASURY, credit the user. */
    TOPUP("payment_method"),
    /** Granted currency: debit the asset's BONUS_POOL, credit the user. */
    BONUS("bonus_type"),
    /** Currency spent: debit the user, credit the asset's REVENUE. */
    SPEND("item_id"),
    /** Currency moved from one user to another. */
    TRANSFER(null),
    /** A full or partial refund: the mirror image of an earlier transaction's postings. */
    REVERSAL(null),
    /** A top-up taken back by the payment network; what the user cannot cover is debt or a write-off. */
    CHARGEBACK(null),
    /** An operator's correction against the asset's ADJUSTMENTS wallet. */
    ADJUSTMENT(null),
    /** A reservation: the user's spendable balance into the wallet's held account. */
    HOLD(null),
    /** Held coins spent: the held account to the asset's REVENUE (a final capture releases the rest). */
    CAPTURE(null),
    /** A hold called off: what remains of it back to the spendable balance. */
    VOID(null),
    /** An expired hold's remainder back to the spendable balance, posted by the ledger itself. */
    EXPIRY(null),
    /** An expired lot's coins to the asset's BREAKAGE, posted by the ledger itself. */
    LOT_EXPIRY(null),
    /**
     * The free part of a wallet's coins from before lots, from its {@code main} account to its {@code free} lot:
     * posted once per such wallet by the upgrade to lots, which finds the part by replaying the wallet's history.
     */
    LOT_SPLIT(null);

    private final String detailField;

    OperationType(String detailField) {
        this.detailField = detailField;
    }

    /**
     * The seed types' one descriptive field: {@code payment_method}, {@code bonus_type} or {@code item_id};
     * null for the other types.
     */
    public String detailField() {
        return detailField;
    }

    /** Whether the type takes back an earlier transaction (named by its id). */
    public boolean takesBack() {
        return switch (this) {
            case REVERSAL, CHARGEBACK -> true;
            case TOPUP, BONUS, SPEND, TRANSFER, ADJUSTMENT, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT -> false;
        };
    }

    /**
     * Whether a reversal may take a transaction of this type back: not a reversal or chargeback, and not the
     * movements of a hold into and out of the held account (a capture may be: its captured part).
     */
    public boolean reversible() {
        return switch (this) {
            case TOPUP, BONUS, SPEND, TRANSFER, ADJUSTMENT, CAPTURE -> true;
            case REVERSAL, CHARGEBACK, HOLD, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT -> false;
        };
    }

    /** Whether the type moves a hold: names one ({@code hold_id}) and posts to the held account. */
    public boolean movesHold() {
        return switch (this) {
            case HOLD, CAPTURE, VOID, EXPIRY -> true;
            case TOPUP, BONUS, SPEND, TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT, LOT_EXPIRY, LOT_SPLIT -> false;
        };
    }

    /**
     * The SYSTEM wallets a transaction of this type may post to: the database refuses any other (the
     * {@code ledger_transactions_shape} trigger) and the audit reports one ({@code transaction_shape}).
     * {@code SchemaTest} holds the trigger to this list.
     */
    public java.util.List<SystemWallet> systemWallets() {
        return switch (this) {
            case TOPUP -> java.util.List.of(SystemWallet.TREASURY);
            case BONUS -> java.util.List.of(SystemWallet.BONUS_POOL);
            case SPEND -> java.util.List.of(SystemWallet.REVENUE, SystemWallet.PROMO_REDEEMED);
            case TRANSFER -> java.util.List.of();
            case REVERSAL ->
                java.util.List.of(
                        SystemWallet.TREASURY,
                        SystemWallet.BONUS_POOL,
                        SystemWallet.REVENUE,
                        SystemWallet.ADJUSTMENTS,
                        SystemWallet.PROMO_REDEEMED,
                        SystemWallet.BREAKAGE);
            case CHARGEBACK -> java.util.List.of(SystemWallet.TREASURY, SystemWallet.CHARGEBACK_LOSS);
            case ADJUSTMENT -> java.util.List.of(SystemWallet.ADJUSTMENTS);
            case CAPTURE -> java.util.List.of(SystemWallet.REVENUE, SystemWallet.PROMO_REDEEMED, SystemWallet.BREAKAGE);
            case VOID, EXPIRY, LOT_EXPIRY -> java.util.List.of(SystemWallet.BREAKAGE);
            case HOLD, LOT_SPLIT -> java.util.List.of();
        };
    }
}
