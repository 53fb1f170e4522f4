package dev.walletledger.http;

import java.util.Map;

/** A refusal decided by the HTTP edge itself (see {@link HttpErrorCode}), with the headers it needs. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final HttpErrorCode code;
    final transient Map<String, ?> details;
    final transient Map<String, String> headers;

    ApiException(HttpErrorCode code, String message, Map<String, ?> details, Map<String, String> headers) {
        super(message, null, false, false); // an answer, not a failure: no stack trace to fill
        this.code = code;
        this.details = details;
        this.headers = headers;
    }

    ApiException(HttpErrorCode code, String message) {
        this(code, message, Map.of(), Map.of());
    }
}
