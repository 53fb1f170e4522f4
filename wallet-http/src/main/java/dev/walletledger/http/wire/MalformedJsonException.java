package dev.walletledger.http.wire;

/** The body is not one well-formed JSON document within the parser's limits. */
public final class MalformedJsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedJsonException(String message) {
        super(message);
    }
}
