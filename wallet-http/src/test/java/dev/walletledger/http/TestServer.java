package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.contract.OpenApiContract;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A server in-process on a free loopback port, over a fresh migrated schema, with a JDK client. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    final TestLedger ledger;
    final WalletServer server;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    TestServer() {
        this(config());
    }

    /** Loopback, a free port, non-durable settings allowed, everything else default. */
    static ServerConfig config() {
        return ServerConfig.fromEnvironment(Map.of("PORT", "0", "WALLET_ALLOW_NON_DURABLE", "true"));
    }

    TestServer(ServerConfig config) {
        this.ledger = TestDatabase.newLedger();
        try {
            this.server = WalletServer.start(config, ledger.ledger(), ledger.dataSource());
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    Reply get(String pathAndQuery) {
        return send(
                HttpRequest.newBuilder(uri(pathAndQuery)).timeout(TIMEOUT).GET().build());
    }

    Reply post(String path, String json) {
        return send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    Reply send(HttpRequest request) {
        return send(request, null);
    }

    /**
     * Sends {@code request} and checks the exchange against openapi.json: a departure fails here, at once.
     * {@code body} is what the request carries (null: not checked).
     */
    Reply send(HttpRequest request, byte[] body) {
        try {
            // Bounded even for requests built without a timeout.
            HttpResponse<byte[]> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            List<String> violations = OpenApiContract.get().check(OpenApiContract.Exchange.of(request, body, response));
            if (!violations.isEmpty()) {
                throw new AssertionError("the answer departs from openapi.json:\n  " + String.join("\n  ", violations));
            }
            return new Reply(response.statusCode(), response.body(), response);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " got no answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    long balance(String user, String asset) {
        Reply reply = get("/api/v1/wallets/" + user + "/balance?asset_code=" + asset);
        if (reply.status() == 404) {
            return 0;
        }
        assertEquals(200, reply.status(), reply.text());
        return reply.json().get("balance").longValue();
    }

    @Override
    public void close() {
        server.close();
        ledger.close();
    }

    record Reply(int status, byte[] body, HttpResponse<byte[]> response) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }
    }
}
