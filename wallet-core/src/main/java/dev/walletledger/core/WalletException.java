package dev.walletledger.core;

import java.util.Map;
import java.util.Objects;

/**
 * The one exception the ledger API throws. Unchecked: every failure has a stable {@link ErrorCode}
 * (whose {@link ErrorCode.Kind} says what kind of failure it is), a message for people and details for
 * programs. {@code SQLException} never escapes the API; when a database failure is the cause it is kept
 * as {@link #getCause()}.
 */
public final class WalletException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;
    private final boolean replayed;

    private WalletException(ErrorCode code, String message, Map<String, ?> details, Throwable cause, boolean replayed) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(Objects.requireNonNull(details, "details"));
        this.replayed = replayed;
    }

    public static WalletException of(ErrorCode code, String message) {
        return of(code, message, Map.of(), null);
    }

    public static WalletException of(ErrorCode code, String message, Map<String, ?> details) {
        return of(code, message, details, null);
    }

    public static WalletException of(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
        return new WalletException(code, message, details, cause, false);
    }

    /**
     * The refusal a reference is bound to, told again: the same code, message and details as when it was first
     * decided, marked {@link #replayed()}.
     */
    public static WalletException replay(ErrorCode code, String message, Map<String, ?> details) {
        return new WalletException(code, message, details, null, true);
    }

    /**
     * {@code VALIDATION_FAILED} naming the field (in wire spelling, e.g. {@code operations[2].amount}):
     * the message is {@code "<field> <what is wrong>"} and {@code details.field} the field.
     */
    public static WalletException invalid(String field, String message) {
        return of(ErrorCode.VALIDATION_FAILED, field + " " + message, Map.of("field", field));
    }

    public ErrorCode code() {
        return code;
    }

    /** Machine-readable details: field names, amounts, the differing fields of a conflict. */
    public Map<String, Object> details() {
        return details;
    }

    /**
     * Whether this is the outcome an earlier attempt under the same reference id met, told again: the ledger binds
     * a request's first outcome to its reference, refusals included (see {@link ErrorCode#binds()}).
     */
    public boolean replayed() {
        return replayed;
    }

    /** This refusal as a replay. */
    public WalletException asReplay() {
        return replayed ? this : new WalletException(code, getMessage(), details, null, true);
    }

    @Override
    public String toString() {
        return code + ": " + getMessage() + (details.isEmpty() ? "" : " " + details);
    }
}
