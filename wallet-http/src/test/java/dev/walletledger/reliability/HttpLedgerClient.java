package dev.walletledger.reliability;

import dev.walletledger.contract.OpenApiContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * The test's HTTP client: one attempt at a time with a request timeout, and a bounded retry loop that
 * sends an unsettled operation again with the same reference id (attempts and total time bounded,
 * exponential backoff with full jitter).
 */
final class HttpLedgerClient {
    static final String ASSET = "GOLD_COINS";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final IntSupplier port;
    private final Duration requestTimeout;
    private final int attemptsMax;
    private final long retryWindowMillis;

    /**
     * @param requestTimeout     how long one attempt waits for its answer (shorter than a pause: in doubt)
     * @param attemptsMax        attempts per operation, the first included
     * @param retryWindowMillis  no new attempt starts after this long since the first
     */
    HttpLedgerClient(IntSupplier port, Duration requestTimeout, int attemptsMax, long retryWindowMillis) {
        this.port = port;
        this.requestTimeout = requestTimeout;
        this.attemptsMax = attemptsMax;
        this.retryWindowMillis = retryWindowMillis;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + pathAndQuery);
    }

    /** Runs {@code op} until it is acknowledged, refused, unexpected, or its attempts run out (in doubt). */
    void execute(Op op) {
        op.invokedNanos = System.nanoTime();
        long deadline = op.invokedNanos + retryWindowMillis * 1_000_000;
        for (int attempt = 1; attempt <= attemptsMax; attempt++) {
            Op.Attempt result = attempt(op);
            op.attempts.add(result);
            switch (result) {
                case CREATED, REPLAYED -> op.status = Op.Status.ACKNOWLEDGED;
                case REFUSED -> op.status = Op.Status.REFUSED;
                case UNEXPECTED -> op.status = Op.Status.UNEXPECTED;
                case UNAVAILABLE, NO_ANSWER, EXPIRED_RETRY -> op.status = Op.Status.IN_DOUBT;
            }
            if (op.status != Op.Status.IN_DOUBT || result == Op.Attempt.EXPIRED_RETRY || System.nanoTime() > deadline) {
                break;
            }
            backoff(attempt);
        }
        op.settledNanos = System.nanoTime();
    }

    private Op.Attempt attempt(Op op) {
        HttpResponse<byte[]> response;
        try {
            response = post(op.path(), op.json(ASSET));
        } catch (IOException e) {
            return Op.Attempt.NO_ANSWER; // timeout, reset, refused: the outcome is unknown
        }
        int status = response.statusCode();
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (status == 201
                || status == 200
                        && "true"
                                .equals(response.headers()
                                        .firstValue("Idempotent-Replayed")
                                        .orElse(""))) {
            op.body = response.body();
            return status == 201 ? Op.Attempt.CREATED : Op.Attempt.REPLAYED;
        }
        if ((status == 422
                        && (text.contains("\"INSUFFICIENT_FUNDS\"")
                                || text.contains("\"REVERSAL_EXCEEDS_ORIGINAL\"")
                                || text.contains("\"NOT_REVERSIBLE\"")
                                || text.contains("\"HOLD_EXPIRED\"")
                                || text.contains("\"LOT_EXPIRED\"")))
                || (status == 409 && text.contains("\"HOLD_CLOSED\""))) {
            if (op.refusalBody == null) {
                op.refusalBody = response.body();
            }
            return Op.Attempt.REFUSED;
        }
        if (status == 503) {
            return Op.Attempt.UNAVAILABLE;
        }
        if (status == 400 && op.lotExpired() && text.contains("\"expires_at\"")) {
            return Op.Attempt.EXPIRED_RETRY;
        }
        op.unexpected = status + " " + text;
        return Op.Attempt.UNEXPECTED;
    }

    HttpResponse<byte[]> post(String path, String json) throws IOException {
        return send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(requestTimeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> get(String pathAndQuery) throws IOException {
        return get(pathAndQuery, java.util.Map.of());
    }

    HttpResponse<byte[]> get(String pathAndQuery, java.util.Map<String, String> headers) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(requestTimeout)
                .GET();
        headers.forEach(request::header);
        return send(request.build(), null);
    }

    /** Every answer is checked against openapi.json; departures fail the test (ContractExtension). */
    private HttpResponse<byte[]> send(HttpRequest request, byte[] body) throws IOException {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            OpenApiContract.record(OpenApiContract.Exchange.of(request, body, response));
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * The follow-up read that settles an operation still in doubt: present (its transaction, found by
     * reference id) or absent (404). Empty when the server could not say (retried, bounded).
     */
    Optional<Boolean> present(String key) {
        for (int attempt = 1; attempt <= attemptsMax; attempt++) {
            try {
                HttpResponse<byte[]> response = get("/api/v1/transactions?reference_id=" + key);
                if (response.statusCode() == 200) {
                    return Optional.of(true);
                }
                if (response.statusCode() == 404) {
                    return Optional.of(false);
                }
            } catch (IOException e) {
                // try again
            }
            backoff(attempt);
        }
        return Optional.empty();
    }

    /** Full jitter over 20 ms doubling to at most 1 s. */
    static void backoff(int attempt) {
        long ceiling = Math.min(1_000, 20L << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
