package dev.walletledger.http;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import dev.walletledger.http.wire.MalformedJsonException;
import java.util.Map;

/** Every failure to one HTTP answer. Messages are ours or the core's; never a stack trace or SQL text. */
final class ErrorMapping {
    /** Seconds a client should wait before sending the same request again after a 503. */
    static final String RETRY_AFTER_SECONDS = "1";

    /** The header that marks an answer as the outcome an earlier request under the same reference id met. */
    static final String REPLAYED = "Idempotent-Replayed";

    private ErrorMapping() {}

    /** The one place a kind of failure becomes a status. */
    static int status(ErrorCode.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case REFUSED -> 422;
            case BUSY, UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    static HttpResponse response(Throwable failure) {
        if (failure instanceof ApiException api) {
            return HttpResponse.json(
                    api.code.status(), Bodies.error(api.code.name(), api.getMessage(), api.details), api.headers);
        }
        if (failure instanceof MalformedJsonException malformed) {
            return HttpResponse.json(
                    HttpErrorCode.MALFORMED_JSON.status(),
                    Bodies.error(HttpErrorCode.MALFORMED_JSON.name(), malformed.getMessage(), Map.of()));
        }
        if (failure instanceof WalletException wallet) {
            int status = status(wallet.code().kind());
            if (wallet.code() == ErrorCode.INTERNAL_ERROR) {
                return internal(); // its message may quote the database: the log has it
            }
            Map<String, String> headers = status == 503
                    ? Map.of("Retry-After", RETRY_AFTER_SECONDS)
                    : wallet.replayed() ? Map.of(REPLAYED, "true") : Map.of();
            return HttpResponse.json(
                    status, Bodies.error(wallet.code().name(), wallet.getMessage(), wallet.details()), headers);
        }
        return internal();
    }

    /** A bug: the client learns only that; the log has the stack trace under the same request id. */
    static HttpResponse internal() {
        return HttpResponse.json(
                500,
                Bodies.error(
                        ErrorCode.INTERNAL_ERROR.name(),
                        "internal error; the server log has the details under this request's X-Request-Id",
                        Map.of()));
    }
}
