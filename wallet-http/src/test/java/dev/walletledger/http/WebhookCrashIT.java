package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server jar killed with kill -9 while a webhook request is in flight, then restarted on the same data: delivery
 * goes on from the subscription's durable cursor, the event in flight is sent again with the same id, and every
 * event is acknowledged once in feed order.
 */
class WebhookCrashIT {
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(180);
    private static final int EVENTS = 60;
    /** The request the server is killed during: the receiver holds it (no answer) until the kill. */
    private static final int KILLED_DURING = 20;

    @TempDir
    Path directory;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @BeforeEach
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers(); // kills the PostgreSQL it started: only with the embedded default
    }

    @Test
    void deliveryResumesFromTheDurableCursorAfterKillMinus9() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        WebhookReceiver.Script script = (path, index) -> {
            if (index == KILLED_DURING) {
                inFlight.countDown();
                return WebhookReceiver.Behaviour.HANG;
            }
            return WebhookReceiver.Behaviour.OK;
        };
        int port = freePort();
        try (WebhookReceiver receiver = new WebhookReceiver(script, 10_000)) {
            Process first = startServer(port, "first");
            String id;
            String secret;
            long postmaster;
            try {
                awaitHealthy(first, port);
                JsonNode added = json(
                        send(port, "POST", "/api/v1/webhooks", "{\"url\": \"" + receiver.url("/crash") + "\"}", 201));
                id = added.get("webhook_id").asText();
                secret = added.get("secret").asText();
                for (int i = 0; i < EVENTS; i++) {
                    send(
                            port,
                            "POST",
                            "/api/v1/wallets/topup",
                            "{\"user_id\": \"crash_" + (i % 3)
                                    + "\", \"asset_code\": \"GOLD_COINS\", \"amount\": 5, \"reference_id\": \"crash_hook_"
                                    + i + "\"}",
                            201);
                }
                assertTrue(
                        inFlight.await(120, TimeUnit.SECONDS), "request " + KILLED_DURING + " never came\n" + logs());
                postmaster = Long.parseLong(Files.readAllLines(directory.resolve("data/postgres/postmaster.pid"))
                        .get(0)
                        .strip());
            } finally {
                first.destroyForcibly(); // SIGKILL, with request KILLED_DURING in flight
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            }
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(postmaster)
                    .ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            String inFlightId = receiver.requests().get(KILLED_DURING).id();

            Process second = startServer(port, "second");
            try {
                awaitHealthy(second, port);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (acknowledged(receiver.requests()).size() < EVENTS
                        || !json(send(port, "GET", "/api/v1/webhooks/" + id, null, 200))
                                .get("cursor")
                                .asText()
                                .equals(Integer.toString(EVENTS))) {
                    assertTrue(
                            System.nanoTime() - deadline < 0,
                            "not delivered within 120 s: "
                                    + acknowledged(receiver.requests()).size() + " acknowledged\n" + logs());
                    Thread.sleep(50);
                }
            } finally {
                second.destroy();
                if (!second.waitFor(60, TimeUnit.SECONDS)) {
                    second.destroyForcibly();
                }
            }
            List<WebhookReceiver.Request> requests = receiver.requests();
            List<String> ids = acknowledged(requests);
            assertEquals(EVENTS, ids.size());
            List<String> inIdOrder = new ArrayList<>(ids);
            inIdOrder.sort((a, b) -> Long.compare(Long.parseLong(a.substring(4)), Long.parseLong(b.substring(4))));
            assertEquals(inIdOrder, ids, "acknowledged in feed order (one writer: ids in feed order)");
            assertTrue(ids.contains(inFlightId), "the event in flight at the kill was delivered after the restart");
            assertEquals(
                    inFlightId,
                    requests.get(KILLED_DURING + 1).id(),
                    "the first request after the restart"
                            + " is the event in flight at the kill, again, with the same id");
            for (WebhookReceiver.Request request : requests) {
                assertEquals(signature(secret, request), request.signature(), request.id());
            }
        }
    }

    private static List<String> acknowledged(List<WebhookReceiver.Request> requests) {
        Set<String> ids = new LinkedHashSet<>();
        requests.stream().filter(WebhookReceiver.Request::acknowledged).forEach(r -> ids.add(r.id()));
        return new ArrayList<>(ids);
    }

    private static String signature(String secret, WebhookReceiver.Request request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        byte[] signed = (request.id() + "." + request.timestamp() + "."
                        + new String(request.body(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed));
    }

    private Process startServer(int port, String name) {
        return ServerJar.start(
                Map.of(
                        "PORT", Integer.toString(port),
                        "WALLET_DATA_DIR", directory.resolve("data").toString(),
                        "WALLET_WEBHOOKS_ALLOW_PRIVATE", "true",
                        "WALLET_WEBHOOKS_TIMEOUT_MILLIS", "500",
                        "WALLET_WEBHOOKS_BACKOFF_MAX_MILLIS", "50",
                        "WALLET_WEBHOOKS_POLL_MILLIS", "20"),
                null,
                directory.resolve(name + ".log"));
    }

    private HttpResponse<byte[]> send(int port, String method, String path, String body, int expected)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(expected, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return response;
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return TestServer.JSON.readTree(response.body());
    }

    private void awaitHealthy(Process process, int port) {
        ServerJar.awaitHealthy(process, port, STARTUP_WAIT, this::logs);
    }

    private String logs() {
        List<String> lines = new ArrayList<>();
        for (String name : new String[] {"first.log", "second.log"}) {
            Path log = directory.resolve(name);
            try {
                if (Files.exists(log)) {
                    lines.add("--- " + name);
                    lines.addAll(Files.readAllLines(log));
                }
            } catch (IOException e) {
                lines.add("(" + name + " unreadable: " + e.getMessage() + ")");
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
