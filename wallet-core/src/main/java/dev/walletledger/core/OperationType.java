package dev.walletledger.core;

/** The three kinds of ledger transaction, with the SYSTEM wallet each one moves currency against. */
public enum OperationType {
    /** Purchased currency: debit the asset's TREASURY, credit the user. */
    TOPUP(SystemWallet.TREASURY),
    /** Granted currency: debit the asset's BONUS_POOL, credit the user. */
    BONUS(SystemWallet.BONUS_POOL),
    /** Currency spent: debit the user, credit the asset's REVENUE. */
    SPEND(SystemWallet.REVENUE);

    private final SystemWallet counterparty;

    OperationType(SystemWallet counterparty) {
        this.counterparty = counterparty;
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
