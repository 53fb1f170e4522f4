package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every route of the route table (read from the table itself, so a new route cannot be forgotten) ×
 * {no key, bad key, wrong scope, right scope} → 401 / 401 / 403 / neither. Open routes answer all four.
 * The access log names the key id and never holds key material.
 */
class AuthMatrixTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A key with exactly one scope, per scope: the "right scope" column (proves scopes suffice alone). */
    private static final Map<Scope, ApiKeys.Generated> ONLY = new EnumMap<>(Scope.class);
    /**
     * Per set of scopes that opens some route, a key with every other scope: the "every other scope" column
     * (proves scopes imply nothing).
     */
    private static final Map<Set<Scope>, ApiKeys.Generated> ALL_BUT_ROUTE = new java.util.HashMap<>();
    /** Well-formed, never configured. */
    private static final ApiKeys.Generated STRANGER = ApiKeys.generate("only-read", EnumSet.of(Scope.READ), RANDOM);

    private static TestServer server;
    private static ListAppender<ILoggingEvent> log;

    @BeforeAll
    static void start() {
        StringBuilder lines = new StringBuilder();
        for (Scope scope : Scope.values()) {
            ONLY.put(scope, ApiKeys.generate("only-" + scope.label(), EnumSet.of(scope), RANDOM));
            lines.append(ONLY.get(scope).line()).append('\n');
        }
        // Keys with exactly the scopes a route does not name, for each route's set: the "every other scope" column.
        int n = 0;
        for (Route route : routes()) {
            if (!route.scopes().isEmpty()) {
                Set<Scope> others = complement(route.scopes());
                if (!others.isEmpty() && !ALL_BUT_ROUTE.containsKey(others)) {
                    ApiKeys.Generated key = ApiKeys.generate("others-" + n++, others, RANDOM);
                    ALL_BUT_ROUTE.put(others, key);
                    lines.append(key.line()).append('\n');
                }
            }
        }
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", lines.toString())));
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
        server = new TestServer(TestServer.config().withApiKeys(keys));
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
        if (server != null) {
            server.close();
        }
    }

    private static Set<Scope> complement(Set<Scope> scopes) {
        return EnumSet.complementOf(EnumSet.copyOf(scopes));
    }

    static List<Route> routes() {
        return new Endpoints(null, null, null, () -> 0, new byte[0], "test", null)
                .routes()
                .routes();
    }

    @Test
    void everyRouteTimesEveryCredential() {
        List<String> failures = new ArrayList<>();
        int cells = 0;
        for (Route route : routes()) {
            Set<Scope> scopes = route.scopes();
            boolean keyed = !scopes.isEmpty();
            String truncated = ONLY.get(Scope.WRITE).key().substring(0, 30);
            List<Object[]> cases = new ArrayList<>(List.of(
                    new Object[] {"no key", null, keyed ? 401 : 0},
                    new Object[] {"unknown key", "Bearer " + STRANGER.key(), keyed ? 401 : 0},
                    new Object[] {"truncated key", "Bearer " + truncated, keyed ? 401 : 0},
                    new Object[] {
                        "wrong scheme", "Basic " + ONLY.get(Scope.WRITE).key(), keyed ? 401 : 0
                    }));
            // Each scope alone: opens the route exactly when the route names it (scopes are independent).
            for (Scope scope : Scope.values()) {
                boolean opens = !keyed || scopes.contains(scope);
                cases.add(new Object[] {
                    "only " + scope.label(), "Bearer " + ONLY.get(scope).key(), opens ? 0 : 403
                });
            }
            // Every scope but those that open it: still refused (no scope implies another).
            if (keyed) {
                Set<Scope> others = EnumSet.complementOf(EnumSet.copyOf(scopes));
                if (!others.isEmpty()) {
                    ApiKeys.Generated wrong = ALL_BUT_ROUTE.get(others);
                    cases.add(new Object[] {"every other scope", "Bearer " + wrong.key(), 403});
                }
            }
            for (Object[] c : cases) {
                cells++;
                String problem = check(route, (String) c[1], (int) c[2]);
                if (problem != null) {
                    failures.add(route.name() + " × " + c[0] + ": " + problem);
                }
            }
        }
        System.out.printf(
                "auth matrix: %d routes, %d cells, %d passed%n", routes().size(), cells, cells - failures.size());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(cells >= (4 + Scope.values().length) * routes().size());
    }

    /** Null when the answer is right: {@code expected} 401 or 403 exactly, or 0 for "neither, and no 5xx". */
    private static String check(Route route, String authorization, int expected) {
        TestServer.Reply reply = server.send(request(route, authorization));
        int status = reply.status();
        if (expected == 0) {
            return status == 401 || status == 403 || status >= 500 ? "got " + status + " " + reply.text() : null;
        }
        if (status != expected) {
            return "expected " + expected + ", got " + status + " " + reply.text();
        }
        String code = expected == 401 ? "UNAUTHENTICATED" : "FORBIDDEN";
        if (!reply.errorCode().equals(code)) {
            return "expected code " + code + ", got " + reply.text();
        }
        String challenge = reply.header("WWW-Authenticate");
        if (challenge == null || !challenge.startsWith("Bearer realm=\"wallet-ledger\"")) {
            return "WWW-Authenticate is " + challenge;
        }
        if (expected == 403
                && !reply.json()
                        .path("error")
                        .path("details")
                        .path("required_scope")
                        .asText()
                        .equals(String.join(
                                " ",
                                route.scopes().stream()
                                        .sorted()
                                        .map(Scope::label)
                                        .toList()))) {
            return "403 does not name the required scope: " + reply.text();
        }
        return null;
    }

    /** A plausible request for the route: path parameters filled in, an (invalid) JSON body for writes. */
    private static HttpRequest request(Route route, String authorization) {
        String path = route.template()
                .replace("{user_id}", "alice")
                .replace("{transaction_id}", "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d")
                .replace("{hold_id}", "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2e")
                .replace("{webhook_id}", "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2f")
                .replace("{run_id}", "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c30");
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.uri(path));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (route.readsBody()) {
            builder.header("Content-Type", "application/json")
                    .method(route.method(), HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            builder.method(route.method(), HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    @Test
    void theAccessLogNamesTheKeyIdAndNeverTheKey() {
        String key = ONLY.get(Scope.WRITE).key();
        TestServer.Reply reply = server.send(HttpRequest.newBuilder(server.uri("/api/v1/wallets/topup"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("X-Request-Id", "auth-log-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"alice\",\"asset_code\":\"GOLD_COINS\","
                        + "\"amount\":5,\"reference_id\":\"auth-log-1\"}"))
                .build());
        assertEquals(201, reply.status(), reply.text());
        server.send(HttpRequest.newBuilder(server.uri("/api/v1/assets"))
                .header("Authorization", "Bearer " + key + "tampered")
                .header("X-Request-Id", "auth-log-2")
                .build());
        ILoggingEvent written = accessLine("auth-log-1");
        assertEquals("only-write", value(written, "key"));
        assertEquals("-", value(accessLine("auth-log-2"), "key"));
        String secret = key.substring(key.indexOf('.') + 1);
        for (ILoggingEvent event : List.copyOf(log.list)) {
            String text = event.getFormattedMessage() + " " + event.getKeyValuePairs();
            for (Scope scope : Scope.values()) {
                String other = ONLY.get(scope).key();
                assertFalse(text.contains(other.substring(other.indexOf('.') + 1)), text);
            }
            assertFalse(text.contains(secret), text);
        }
    }

    private static ILoggingEvent accessLine(String requestId) {
        for (int attempt = 0; attempt < 50; attempt++) { // the line is written just after the answer
            for (ILoggingEvent event : List.copyOf(log.list)) {
                if (event.getLoggerName().endsWith(".access") && requestId.equals(value(event, "request_id"))) {
                    return event;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no access log line for " + requestId);
    }

    private static String value(ILoggingEvent event, String key) {
        if (event.getKeyValuePairs() == null) {
            return null;
        }
        return event.getKeyValuePairs().stream()
                .filter(pair -> pair.key.equals(key))
                .map(pair -> String.valueOf(pair.value))
                .findFirst()
                .orElse(null);
    }

    @Test
    void healthStaysOpenAndAnOpenServerIgnoresKeys() {
        assertEquals(200, server.get("/api/v1/health").status());
        try (TestServer open = new TestServer()) {
            assertEquals(200, open.get("/api/v1/assets").status());
            assertEquals(
                    200,
                    open.send(HttpRequest.newBuilder(open.uri("/api/v1/assets"))
                                    .header("Authorization", "Bearer nonsense")
                                    .build())
                            .status());
        }
    }
}
