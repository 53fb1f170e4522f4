package dev.walletledger.core;

/**
 * The two kinds of coin a wallet holds. Paid coins were bought with money: spending them is revenue, and what
 * is left of them is the issuer's liability. Free coins were given away: spending them is not revenue.
 */
public enum LotClass {
    /** Bought: credited by a top-up; spent to REVENUE. */
    PAID,
    /** Given: credited by a bonus or an adjustment; spent to PROMO_REDEEMED. */
    FREE
}
