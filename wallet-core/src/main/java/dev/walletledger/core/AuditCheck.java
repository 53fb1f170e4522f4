package dev.walletledger.core;

import java.util.Locale;

/**
 * The checks of {@link Ledger#verify}: stable and append-only, as error codes are. Each names one invariant;
 * a {@link AuditReport.Violation} says which one it broke. The wire name ({@link #wireName()}) is what
 * {@code wallet verify} prints; the wallet-core README lists them all ({@code AuditCheckTableTest}).
 */
public enum AuditCheck {
    /** Per asset, the stored USER balances plus the SYSTEM wallets' entries sum to zero. */
    CONSERVATION,
    /** A transaction's debits equal its credits. */
    TRANSACTION_BALANCE,
    /**
     * A transaction is two or more postings in its asset, with a USER posting, whose debits sum to its amount,
     * posting only to the SYSTEM wallets its type may use.
     */
    TRANSACTION_SHAPE,
    /**
     * What reversals and chargebacks take back of a transaction never exceeds it, comes from what may be taken
     * back, and is in its asset.
     */
    REVERSAL_TOTAL,
    /** A USER account's stored balance is the sum of its entries. */
    STORED_BALANCE,
    /** Each USER entry's balance_after is the running sum of its account's entries; SYSTEM entries carry none. */
    BALANCE_CHAIN,
    /** No debit leaves a USER account below zero, except a chargeback under the debt policy. */
    NEGATIVE_BALANCE,
    /** A transaction's hash matches its content and the chain before it: the first broken link of each account. */
    HASH_CHAIN,
    /** An account's stored chain head is its last transaction's hash. */
    CHAIN_HEAD,
    /**
     * An account's transactions are dated in entry order, and its stored last entry time is its last
     * transaction's.
     */
    TIME_ORDER,
    /** History up to an exported anchor is what it was when the anchor was taken. */
    ANCHOR,
    /**
     * The database's own guards are in place: every trigger that refuses a change to the ledger exists, is
     * enabled, and fires always ({@code ENABLE ALWAYS}, which session_replication_role cannot switch off).
     */
    GUARDS,
    /** A wallet's main account counts its accounts (the count that guards the others). */
    ACCOUNT_COUNT,
    /**
     * Every reference id is bound to exactly one outcome, a transaction or a refusal, and every outcome is under a
     * bound reference; a refusal carries a code that binds.
     */
    REFERENCES,
    /**
     * Each hold is what its transactions say (captured plus released never beyond its amount, at most one
     * closing transaction, the status of the one that closed it), and each held account holds what its wallet's
     * open holds still hold.
     */
    HOLDS,
    /**
     * Lots: a spend credits REVENUE with what it took from paid lots and PROMO_REDEEMED with what it took from free
     * ones (free coins are never revenue); no transaction but a lot's own expiry posts to the lot at or after its
     * expiry; a lot expiry takes the whole lot, to BREAKAGE, under the lot's reserved reference.
     */
    LOTS,
    /**
     * Events (V6): every transaction since the feed started has exactly one event, of its type and at its time (the
     * transactions without one are exactly those from before the feed started); every controls change has exactly
     * one, of the type its change of status gives; every event tells an existing transaction or change; the feed's
     * positions are exactly 1 to the last one given; along each wallet, positions follow the order of its entries.
     */
    EVENTS,
    /**
     * Controls (V6): each wallet's main account holds the controls of its latest record (none: active, no limits),
     * and no other account holds any; the day's spend count is the wallet's spends, transfers out and holds of that
     * UTC day; no user operation was committed that the controls in force at its time refused (closed, frozen, or
     * past the daily spend limit).
     */
    CONTROLS;

    /** {@code transaction_shape}: the name in reports and in {@code wallet verify}'s output. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
