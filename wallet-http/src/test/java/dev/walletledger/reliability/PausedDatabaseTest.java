package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.contract.OpenApiContract;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds the API promises when the database stops answering (SIGSTOP of the whole PostgreSQL tree, the
 * way a frozen VM or a partition looks): health answers 503 within 2 s, even to many probes at once, and
 * reads and writes answer 503 STORAGE_UNAVAILABLE within 15 s (a 10 s answer deadline plus at most 5 s
 * waiting for a pooled connection). The client's own timeout is each bound plus 3 s of slack for a loaded
 * machine: a server that hangs makes the request time out and the test fail. After SIGCONT everything
 * works again, and the write that got a 503 settles to exactly one effect when sent again.
 */
class PausedDatabaseTest {

    /** Kills, pauses or restarts a PostgreSQL of its own: only with the embedded default (TestDatabase). */
    @BeforeEach // per test, so that each shows as skipped in the report, with the reason
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SLACK_MILLIS = 3_000;
    private static final long HEALTH_BOUND_MILLIS = 2_000;
    private static final long OPERATION_BOUND_MILLIS = 15_000;
    private static final int PROBES = 8;

    private int port;

    @Test
    void aPausedDatabaseGetsBounded503sAndNothingIsLostOrDoubled() throws Exception {
        try (ZonkyPostgres postgres = ZonkyPostgres.create();
                LedgerService service = LedgerService.start(
                        DatabaseFaultTest.url(postgres.port()), "wallet", IsolationLevel.READ_COMMITTED, 8)) {
            port = service.port();
            assertEquals(
                    201,
                    send("POST", "/api/v1/wallets/topup", topup("paused_before"), 10_000)
                            .statusCode());
            assertEquals(200, send("GET", "/api/v1/health", null, 10_000).statusCode());

            postgres.pause();
            try {
                ExecutorService probes = Executors.newFixedThreadPool(PROBES);
                try {
                    List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                    for (int i = 0; i < PROBES; i++) {
                        answers.add(probes.submit(
                                () -> send("GET", "/api/v1/health", null, HEALTH_BOUND_MILLIS + SLACK_MILLIS)));
                    }
                    for (Future<HttpResponse<byte[]>> answer : answers) {
                        HttpResponse<byte[]> health =
                                answer.get(HEALTH_BOUND_MILLIS + 2 * SLACK_MILLIS, TimeUnit.MILLISECONDS);
                        assertEquals(503, health.statusCode());
                        assertEquals(
                                "down",
                                JSON.readTree(health.body()).get("database").asText());
                    }
                } finally {
                    probes.shutdownNow();
                }
                HttpResponse<byte[]> read = send(
                        "GET",
                        "/api/v1/wallets/paused_before/balance?asset_code=GOLD_COINS",
                        null,
                        OPERATION_BOUND_MILLIS + SLACK_MILLIS);
                assertUnavailable(read);
                HttpResponse<byte[]> write = send(
                        "POST", "/api/v1/wallets/topup", topup("paused_during"), OPERATION_BOUND_MILLIS + SLACK_MILLIS);
                assertUnavailable(write);
            } finally {
                postgres.resume();
            }

            // Healed: health comes back (bounded wait), and the write in doubt settles to one effect.
            boolean up = false;
            for (int attempt = 0; attempt < 30 && !up; attempt++) {
                up = send("GET", "/api/v1/health", null, 10_000).statusCode() == 200;
                if (!up) {
                    Thread.sleep(500);
                }
            }
            assertTrue(up, "health did not come back within 30 probes after SIGCONT");
            int status = send("POST", "/api/v1/wallets/topup", topup("paused_during"), 20_000)
                    .statusCode();
            assertTrue(status == 201 || status == 200, "the write sent again: " + status);
            JsonNode balance = JSON.readTree(
                    send("GET", "/api/v1/wallets/paused_during/balance?asset_code=GOLD_COINS", null, 10_000)
                            .body());
            assertEquals(25, balance.get("balance").longValue(), "applied exactly once");
        }
    }

    private static void assertUnavailable(HttpResponse<byte[]> response) throws IOException {
        assertEquals(503, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(
                "STORAGE_UNAVAILABLE",
                JSON.readTree(response.body()).at("/error/code").asText());
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
    }

    private static String topup(String user) {
        return "{\"user_id\":\"" + user + "\",\"asset_code\":\"GOLD_COINS\",\"amount\":25,\"reference_id\":\"ref_"
                + user + "\"}";
    }

    /** One request with a timeout of {@code millis}: a server slower than that fails the test here. */
    private HttpResponse<byte[]> send(String method, String path, String json, long millis) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMillis(millis));
        byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        if (json != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest request = builder.build();
        // A client per request: a pooled connection left idle through the pause may be closed by the server (its
        // 10 s read timeout) just as it is reused, and a POST is not resent on a stale connection.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        OpenApiContract.record(OpenApiContract.Exchange.of(request, body, response));
        return response;
    }
}
