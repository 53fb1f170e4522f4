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
    ADJUSTMENT(null);

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
        return this == REVERSAL || this == CHARGEBACK;
    }
}
