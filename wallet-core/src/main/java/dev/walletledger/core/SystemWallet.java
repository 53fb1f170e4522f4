package dev.walletledger.core;

/**
 * The SYSTEM wallets every asset has. They may go negative (the TREASURY issues currency), need no
 * balance check, and store no balance: theirs is the sum of their entries.
 */
public enum SystemWallet {
    /** Issues purchased currency; chargebacks return to it. */
    TREASURY,
    /** Issues granted currency. */
    BONUS_POOL,
    /** Receives spent currency. */
    REVENUE,
    /** The other side of every operator's correction. */
    ADJUSTMENTS,
    /** Carries what a written-off chargeback could not recover from the user. */
    CHARGEBACK_LOSS,
    /** Receives the free part of spends and captures: redeemed promotional coins, which are not revenue. */
    PROMO_REDEEMED,
    /** Receives expired coins: what a lot held at its expiry, and what would return to an expired lot. */
    BREAKAGE
}
