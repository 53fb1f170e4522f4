package dev.walletledger.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The open-loop generator against a small JDK HTTP server: it sends the whole schedule, over no more
 * connections than it is given (kept alive), reads fixed-length and chunked answers alike, and counts
 * a non-2xx answer as an error. No speed is asserted.
 */
class OpenLoopTest {
    @Test
    void sendsTheScheduleOverABoundedPoolAndCountsErrors() throws Exception {
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> answer(exchange, clientPorts, requests));
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            OpenLoop.Summary summary = OpenLoop.run(OpenLoop.Plan.of(
                    base, new HttpLoad.Shape("POST", "/ok/{seq}", "{\"n\":{seq},\"u\":\"{user}\"}", 7), 200, 2, 3));
            assertEquals(400, summary.sent(), summary.json());
            assertEquals(0, summary.errors(), summary.json());
            assertEquals(0, summary.unsent(), summary.json());
            assertTrue(clientPorts.size() <= 3, "at most 3 connections, saw " + clientPorts.size());
            assertTrue(summary.p50Millis() <= summary.p99Millis() && summary.p99Millis() <= summary.p999Millis());
            assertTrue(summary.p999Millis() <= summary.maxMillis(), summary.json());

            OpenLoop.Summary failing =
                    OpenLoop.run(OpenLoop.Plan.of(base, new HttpLoad.Shape("GET", "/fail/{seq}", null, 1), 50, 1, 2));
            assertEquals(50, failing.sent(), failing.json());
            assertEquals(25, failing.errors(), "every other answer is a 500: " + failing.json());
            assertEquals(failing.json(), OpenLoop.Summary.parse(failing.json()).json());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void refusesAPlanWithoutBounds() {
        URI base = URI.create("http://127.0.0.1:1/");
        HttpLoad.Shape shape = new HttpLoad.Shape("GET", "/", null, 1);
        for (Runnable bad : new Runnable[] {
            () -> OpenLoop.Plan.of(base, shape, 0, 1, 1),
            () -> OpenLoop.Plan.of(base, shape, OpenLoop.RATE_MAX + 1, 1, 1),
            () -> OpenLoop.Plan.of(base, shape, 10, OpenLoop.SECONDS_MAX + 1, 1),
            () -> OpenLoop.Plan.of(base, shape, 10, 1, OpenLoop.CONNECTIONS_MAX + 1),
            () -> OpenLoop.parse(new String[] {"--url", "http://127.0.0.1:1/", "--rate", "10"})
        }) {
            try {
                bad.run();
                throw new AssertionError("accepted");
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }

    /** /ok: 200 with a length, or chunked (every other request); /fail: every other request a 500. */
    private static void answer(HttpExchange exchange, Set<Integer> clientPorts, AtomicInteger requests)
            throws IOException {
        clientPorts.add(exchange.getRemoteAddress().getPort());
        exchange.getRequestBody().readAllBytes();
        int n = requests.incrementAndGet();
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        boolean fail = exchange.getRequestURI().getPath().startsWith("/fail") && n % 2 == 0;
        exchange.sendResponseHeaders(fail ? 500 : 200, n % 2 == 0 ? 0 : body.length); // 0: chunked
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
