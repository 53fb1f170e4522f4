package dev.walletledger.core;

/**
 * Stable, append-only error codes. Each names one way an operation can be refused and belongs to one
 * {@link Kind}, which the HTTP server maps to a status and the CLI to an exit code, once each.
 */
public enum ErrorCode {
    /** The request is malformed: a blank id, a non-positive amount, metadata that is not an object... */
    VALIDATION_FAILED(Kind.INVALID),
    /** No asset type has the given code. */
    ASSET_NOT_FOUND(Kind.NOT_FOUND),
    /** The user has no wallet for the asset (a wallet is created by its first credit). */
    WALLET_NOT_FOUND(Kind.NOT_FOUND),
    /** No transaction has the given id or reference id. */
    TRANSACTION_NOT_FOUND(Kind.NOT_FOUND),
    /** A debit (spend, transfer, reversal, adjustment) larger than the wallet's balance, or from a negative one. */
    INSUFFICIENT_FUNDS(Kind.REFUSED),
    /** A credit that would take a balance past {@link Long#MAX_VALUE}. */
    BALANCE_OVERFLOW(Kind.REFUSED),
    /** The reference id was used before by a request that differs; details name the fields. */
    IDEMPOTENCY_CONFLICT(Kind.CONFLICT),
    /** An asset with that code exists with another definition. */
    ASSET_EXISTS(Kind.CONFLICT),
    /** Serialization failures or deadlocks persisted through every retry; the caller may try again. */
    BUSY(Kind.BUSY),
    /** The database could not be reached or failed mid-transaction; the caller may try again. */
    STORAGE_UNAVAILABLE(Kind.UNAVAILABLE),
    /** A failure the ledger does not expect (a bug, or a schema changed under it). */
    INTERNAL_ERROR(Kind.INTERNAL),
    /** A reversal or chargeback of more than what remains of its transaction; details say {@code remaining}. */
    REVERSAL_EXCEEDS_ORIGINAL(Kind.REFUSED),
    /** The transaction cannot be taken back this way: a reversal or chargeback itself, or a chargeback of what is not a top-up. */
    NOT_REVERSIBLE(Kind.REFUSED),
    /** No hold has the given id. */
    HOLD_NOT_FOUND(Kind.NOT_FOUND),
    /** The hold is closed (captured, voided or expired): details say its {@code status}. Binds, as refusals do. */
    HOLD_CLOSED(Kind.CONFLICT),
    /** The hold's expiry has passed: it can no longer be captured. */
    HOLD_EXPIRED(Kind.REFUSED),
    /** A capture of more than what remains of the hold; details say {@code remaining}. */
    HOLD_AMOUNT_EXCEEDED(Kind.REFUSED),
    /**
     * The coins would be credited to a lot at or past its expiry: a top-up or bonus whose {@code expires_at} passed
     * before it was applied, or a refund whose every coin came from lots that have expired since (those coins
     * are breakage). Details say {@code expires_at}.
     */
    LOT_EXPIRED(Kind.REFUSED),
    /**
     * A report's figures do not add up: for a lot class, the opening balance plus what the entries credited minus
     * what they debited is not the closing balance, each read from the entries. The ledger's history is
     * inconsistent (tampered with, or a bug); details name the asset, the class and the four figures. Run the
     * audit.
     */
    REPORT_INCONSISTENT(Kind.INTERNAL),
    /**
     * The wallet is frozen: it refuses spends, transfers out and new holds (credits, captures, refunds and
     * releases still move). Details say {@code user_id} and {@code asset_code}.
     */
    WALLET_FROZEN(Kind.REFUSED),
    /** The wallet is closed: it refuses every user operation (refunds, chargebacks, adjustments and releases still move). */
    WALLET_CLOSED(Kind.REFUSED),
    /**
     * A control's limit would be passed: a credit above the wallet's maximum balance, or a spend, transfer out or
     * hold past its daily spend limit (a UTC day). Details say {@code limit} ({@code max_balance} or
     * {@code daily_spend_limit}), its {@code value}, and {@code balance} or {@code spent} before the operation.
     */
    LIMIT_EXCEEDED(Kind.REFUSED),
    /** No webhook subscription has the given id. */
    WEBHOOK_NOT_FOUND(Kind.NOT_FOUND),
    /** The webhook subscription was removed: it cannot be resumed (add a new one). */
    WEBHOOK_REMOVED(Kind.CONFLICT),
    /**
     * A webhook URL's host is, or resolves to, a loopback, private, link-local (cloud metadata included),
     * unspecified or multicast address, which the server refuses unless configured to allow them; or it does not
     * resolve. Details say {@code host} and {@code address} when there is one.
     */
    WEBHOOK_URL_REFUSED(Kind.INVALID);

    /** What kind of failure a code is: decides the HTTP status and the CLI exit code. */
    public enum Kind {
        INVALID,
        NOT_FOUND,
        REFUSED,
        CONFLICT,
        BUSY,
        UNAVAILABLE,
        INTERNAL
    }

    private final Kind kind;

    ErrorCode(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether an operation refused with this code binds its reference id to the refusal: a refusal decided once
     * execution began (the ledger's state said no: funds, a missing wallet, asset or transaction, what remains to
     * take back, a hold closed). A retry of the same request is then told the same refusal again, whatever changed since.
     * Malformed requests, conflicts with another request, and failures of the database bind nothing.
     */
    public boolean binds() {
        return kind == Kind.NOT_FOUND || kind == Kind.REFUSED || this == HOLD_CLOSED;
    }

    /** Whether the same request may succeed if simply sent again later. */
    public boolean retryable() {
        return kind == Kind.BUSY || kind == Kind.UNAVAILABLE;
    }
}
