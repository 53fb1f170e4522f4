package dev.walletledger.http;

import java.util.Map;

/** A refusal decided by the HTTP layer itself (unknown path, wrong method, media type, size...). */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final transient Map<String, ?> details;
    final transient Map<String, String> headers;

    ApiException(int status, String code, String message, Map<String, ?> details, Map<String, String> headers) {
        super(message, null, false, false); // an answer, not a failure: no stack trace to fill
        this.status = status;
        this.code = code;
        this.details = details;
        this.headers = headers;
    }

    ApiException(int status, String code, String message) {
        this(status, code, message, Map.of(), Map.of());
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", field + " " + message, Map.of("field", field), Map.of());
    }
}
