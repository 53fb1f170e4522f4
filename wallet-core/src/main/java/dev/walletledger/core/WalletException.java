package dev.walletledger.core;

import java.util.Map;
import java.util.Objects;

/**
 * The one exception the ledger API throws. Unchecked and sealed: every failure has a stable
 * {@link ErrorCode}, a message for people and details for programs. {@code SQLException} never
 * escapes the API; when a database failure is the cause it is kept as {@link #getCause()}.
 */
public abstract sealed class WalletException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;

    private WalletException(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(Objects.requireNonNull(details, "details"));
    }

    public static WalletException of(ErrorCode code, String message) {
        return of(code, message, Map.of(), null);
    }

    public static WalletException of(ErrorCode code, String message, Map<String, ?> details) {
        return of(code, message, details, null);
    }

    public static WalletException of(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
        return switch (code.kind()) {
            case INVALID -> new Invalid(code, message, details, cause);
            case NOT_FOUND -> new NotFound(code, message, details, cause);
            case REFUSED -> new Refused(code, message, details, cause);
            case CONFLICT -> new Conflict(code, message, details, cause);
            case BUSY, UNAVAILABLE -> new Unavailable(code, message, details, cause);
            case INTERNAL -> new Internal(code, message, details, cause);
        };
    }

    public ErrorCode code() {
        return code;
    }

    /** Machine-readable details: field names, amounts, the differing fields of a conflict. */
    public Map<String, Object> details() {
        return details;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage() + (details.isEmpty() ? "" : " " + details);
    }

    /** The request itself is wrong; sending it again will not help. */
    public static final class Invalid extends WalletException {
        private static final long serialVersionUID = 1L;

        Invalid(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }

    /** An asset or wallet the request names does not exist. */
    public static final class NotFound extends WalletException {
        private static final long serialVersionUID = 1L;

        NotFound(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }

    /** A business rule refused the operation (funds, overflow); nothing was written. */
    public static final class Refused extends WalletException {
        private static final long serialVersionUID = 1L;

        Refused(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }

    /** The request collides with what the ledger already holds under the same key. */
    public static final class Conflict extends WalletException {
        private static final long serialVersionUID = 1L;

        Conflict(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }

    /** The ledger could not finish now; the same request (same reference id) may be sent again safely. */
    public static final class Unavailable extends WalletException {
        private static final long serialVersionUID = 1L;

        Unavailable(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }

    /** Something the ledger does not expect; a bug to report. */
    public static final class Internal extends WalletException {
        private static final long serialVersionUID = 1L;

        Internal(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
            super(code, message, details, cause);
        }
    }
}
