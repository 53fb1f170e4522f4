package dev.walletledger.http;

/**
 * The error codes only the HTTP edge gives, each with its status. The ledger's own codes are
 * {@link dev.walletledger.core.ErrorCode}, whose kind decides their status ({@link ErrorMapping}); no code is
 * in both. Stable and append-only, like the ledger's.
 */
public enum HttpErrorCode {
    /** The body is not JSON (or has duplicate keys, or nests too deep). */
    MALFORMED_JSON(400),
    /** The request could not be read: its body broke off, or the connection failed. */
    MALFORMED_REQUEST(400),
    /** No API key, a malformed one, or one that is not configured. */
    UNAUTHENTICATED(401),
    /** The key lacks the route's scope. */
    FORBIDDEN(403),
    /** No such path (a missing transaction is the ledger's {@code TRANSACTION_NOT_FOUND}). */
    NOT_FOUND(404),
    /** The path exists but not with this method; {@code Allow} lists those it has. */
    METHOD_NOT_ALLOWED(405),
    /** The body arrived too slowly. */
    REQUEST_TIMEOUT(408),
    /** The body is larger than the server reads. */
    PAYLOAD_TOO_LARGE(413),
    /** The body is not {@code application/json} in UTF-8, or it is compressed. */
    UNSUPPORTED_MEDIA_TYPE(415),
    /** No verify run with this id on this server: runs are kept in its memory, the last few only. */
    VERIFY_RUN_NOT_FOUND(404);

    private final int status;

    HttpErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
