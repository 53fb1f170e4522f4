package dev.walletledger.core;

/**
 * The three kinds of ledger transaction, with the SYSTEM wallet each one moves currency against and the
 * name of its one descriptive field (in requests, answers, the CLI and the table's column alike).
 */
public enum OperationType {
    /** Purchased currency: debit the asset's TREASURY, credit the user. */
    TOPUP(SystemWallet.TREASURY, "payment_method"),
    /** Granted currency: debit the asset's BONUS_POOL, credit the user. */
    BONUS(SystemWallet.BONUS_POOL, "bonus_type"),
    /** Currency spent: debit the user, credit the asset's REVENUE. */
    SPEND(SystemWallet.REVENUE, "item_id");

    private final SystemWallet counterparty;
    private final String detailField;

    OperationType(SystemWallet counterparty, String detailField) {
        this.counterparty = counterparty;
        this.detailField = detailField;
    }

    /** The descriptive field's name: {@code payment_method}, {@code bonus_type} or {@code item_id}. */
    public String detailField() {
        return detailField;
    }

    /** The SYSTEM wallet on the other side of every transaction of this type. */
    public SystemWallet counterparty() {
        return counterparty;
    }

    /** Whether the user's wallet is credited (top-up, bonus) rather than debited (spend). */
    public boolean creditsUser() {
        return this != SPEND;
    }
}
