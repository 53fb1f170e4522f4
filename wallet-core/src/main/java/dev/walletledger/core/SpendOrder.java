package dev.walletledger.core;

/**
 * Which of a wallet's lots a spend, a hold, a transfer or a debit adjustment takes its coins from first: a rule
 * of the asset, fixed when the asset is added. Whatever the order, a lot at or past its expiry is never used,
 * and among lots of one class the one that expires soonest goes first (a lot that never expires goes last).
 */
public enum SpendOrder {
    /** Free coins before paid ones: the default, and what keeps the most revenue for later. */
    FREE_FIRST,
    /** Paid coins before free ones. */
    PAID_FIRST,
    /** The soonest expiry first, whatever the class (free before paid on the same expiry). */
    EXPIRING_FIRST
}
