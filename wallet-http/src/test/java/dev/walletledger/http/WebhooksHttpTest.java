package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.Event;
import dev.walletledger.core.EventQuery;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WebhookRequest;
import dev.walletledger.http.webhooks.WebhookSettings;
import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end, in-process: subscriptions over HTTP (every answer checked against openapi.json), delivery to a
 * real local receiver that answers 500, answers late, hangs, closes connections and comes back; the retry window
 * and resume; two nodes on one database; the address rules. Every wait is bounded; nothing is timed.
 */
class WebhooksHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Requests cut at 300 ms (leases of 1.8 s), waits of at most 30 ms, an hour before FAILING, polls every 20 ms. */
    private static final WebhookSettings FAST = new WebhookSettings(true, 300, 3_600_000, 30, 4, 20);

    private static ServerConfig config(WebhookSettings settings) {
        return TestServer.config().withWebhooks(settings);
    }

    @Test
    void everyEventIsDeliveredInFeedOrderThroughFailuresAndEverySignatureVerifies() throws Exception {
        long seed = Seeds.seed("WebhooksHttpTest.delivery");
        Random random = new Random(seed);
        WebhookReceiver.Behaviour[] failing = {
            WebhookReceiver.Behaviour.ERROR,
            WebhookReceiver.Behaviour.LATE,
            WebhookReceiver.Behaviour.HANG,
            WebhookReceiver.Behaviour.CLOSE
        };
        // Each misbehaviour at least once first, then a random mix, then the endpoint comes back for good.
        WebhookReceiver.Script script = (path, index) -> {
            if (index < 8) {
                return index % 2 == 0 ? failing[index / 2] : WebhookReceiver.Behaviour.OK;
            }
            if (index < 60) {
                synchronized (random) {
                    return random.nextInt(3) == 0 ? failing[random.nextInt(4)] : WebhookReceiver.Behaviour.OK;
                }
            }
            return WebhookReceiver.Behaviour.OK;
        };
        try (TestServer server = new TestServer(config(FAST));
                WebhookReceiver receiver = new WebhookReceiver(script, 700)) {
            Subscription all = subscribe(server, receiver.url("/all"), List.of());
            Subscription spends = subscribe(server, receiver.url("/spends"), List.of("transaction.spend"));
            Ledger ledger = server.ledger.ledger();
            for (int i = 0; i < 30; i++) {
                String user = "wh-user-" + random.nextInt(4);
                ledger.topUp(Operation.topUp(user, "GOLD_COINS", 100 + random.nextInt(100), "wh-top-" + i));
                if (i % 3 == 0) {
                    ledger.spend(Operation.spend(user, "GOLD_COINS", 1 + random.nextInt(50), "wh-spend-" + i));
                }
            }
            List<Event> allEvents = feed(ledger, all.cursor(), Set.of(), 40); // 30 top-ups and 10 spends
            List<Event> spendEvents = feed(ledger, spends.cursor(), Set.of("transaction.spend"), 10);

            awaitDelivered(server, receiver, all, "/all", allEvents);
            awaitDelivered(server, receiver, spends, "/spends", spendEvents);
            List<WebhookReceiver.Request> requests = receiver.requests();
            for (WebhookReceiver.Behaviour behaviour : WebhookReceiver.Behaviour.values()) {
                if (behaviour != WebhookReceiver.Behaviour.OK_AFTER_PAUSE) {
                    assertTrue(
                            requests.stream().anyMatch(r -> r.behaviour() == behaviour),
                            "the receiver never answered " + behaviour + ": the test proved less than it says");
                }
            }
            checkSignaturesAndOrder(requests, "/all", all, allEvents);
            checkSignaturesAndOrder(requests, "/spends", spends, spendEvents);
        }
    }

    @Test
    void pastTheRetryWindowASubscriptionIsFailingAndResumeDeliversFromItsCursor() throws Exception {
        WebhookSettings shortWindow = new WebhookSettings(true, 300, 200, 20, 2, 20);
        try (TestServer server = new TestServer(config(shortWindow));
                WebhookReceiver receiver = new WebhookReceiver((path, index) -> WebhookReceiver.Behaviour.ERROR, 10)) {
            Subscription sub = subscribe(server, receiver.url("/down"), List.of());
            Ledger ledger = server.ledger.ledger();
            for (int i = 0; i < 3; i++) {
                ledger.topUp(Operation.topUp("wh-down", "GOLD_COINS", 10, "wh-down-" + i));
            }
            List<Event> events = feed(ledger, sub.cursor(), Set.of(), 3);
            await(
                    () -> "FAILING".equals(get(server, sub.id()).get("status").asText()),
                    () -> "no FAILING: " + get(server, sub.id()));
            JsonNode failingNow = get(server, sub.id());
            assertEquals(sub.cursor(), failingNow.get("cursor").asText(), "nothing was acknowledged");
            assertFalse(failingNow.get("failing_since").isNull());
            assertFalse(failingNow.get("retrying_since").isNull());
            assertEquals(500, failingNow.get("last_status").intValue());
            assertEquals("HTTP 500", failingNow.get("last_error").asText());
            assertTrue(failingNow.get("attempts").intValue() >= 1);
            TestServer.Reply metrics = server.get("/metrics");
            assertTrue(metrics.text().contains("\nwallet_webhooks_failing 1\n"), metrics.text());
            assertTrue(
                    receiver.requests().stream()
                            .allMatch(r -> r.id().equals(events.get(0).id())),
                    "only the first event was tried");

            receiver.script((path, index) -> WebhookReceiver.Behaviour.OK);
            TestServer.Reply resumed =
                    server.send(HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + sub.id() + "/resume"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build());
            assertEquals(200, resumed.status(), resumed.text());
            assertEquals("ACTIVE", resumed.json().get("status").asText());
            assertTrue(resumed.json().get("failing_since").isNull());
            assertEquals(0, resumed.json().get("attempts").intValue());
            awaitDelivered(server, receiver, sub, "/down", events);
            assertTrue(server.get("/metrics").text().contains("\nwallet_webhooks_failing 0\n"));
        }
    }

    @Test
    void twoNodesOnOneDatabaseNeverSendOneSubscriptionConcurrently() throws Exception {
        long seed = Seeds.seed("WebhooksHttpTest.twoNodes");
        Random random = new Random(seed);
        WebhookReceiver.Script script = (path, index) -> {
            synchronized (random) {
                int roll = random.nextInt(10);
                return roll < 2
                        ? WebhookReceiver.Behaviour.ERROR
                        : roll < 3 ? WebhookReceiver.Behaviour.CLOSE : WebhookReceiver.Behaviour.OK_AFTER_PAUSE;
            }
        };
        // Requests are answered well within the timeout here: a request the sender cut at its timeout may still be
        // in the receiver's hands when the next one arrives, from any node (see README.md, "Webhooks").
        WebhookSettings settings = new WebhookSettings(true, 2_000, 3_600_000, 20, 4, 20);
        try (TestServer first = new TestServer(config(settings));
                TestLedger node = TestDatabase.sameSchema(first.ledger, 0, 8);
                WebhookReceiver receiver = new WebhookReceiver(script, 10)) {
            WalletServer second = WalletServer.start(config(settings), node.ledger(), node.dataSource());
            try {
                Subscription one = subscribe(first, receiver.url("/one"), List.of());
                Subscription other = subscribe(first, receiver.url("/other"), List.of("transaction.topup"));
                for (int i = 0; i < 60; i++) {
                    Ledger writer = i % 2 == 0 ? first.ledger.ledger() : node.ledger();
                    writer.topUp(Operation.topUp("wh-two-" + (i % 5), "GOLD_COINS", 10, "wh-two-" + i));
                }
                List<Event> events = feed(first.ledger.ledger(), one.cursor(), Set.of(), 60);
                awaitDelivered(first, receiver, one, "/one", events);
                awaitDelivered(first, receiver, other, "/other", events);
                assertEquals(1, receiver.maxInFlight("/one"), "requests for one subscription overlapped");
                assertEquals(1, receiver.maxInFlight("/other"), "requests for one subscription overlapped");
                checkSignaturesAndOrder(receiver.requests(), "/one", one, events);
                long byFirst = delivered(first.get("/metrics").text());
                long bySecond = delivered(first.send(HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + second.port() + "/metrics"))
                                .GET()
                                .build())
                        .text());
                System.out.println("delivered by the first node " + byFirst + ", by the second " + bySecond);
                assertTrue(byFirst > 0 && bySecond > 0, "both nodes took turns: the test proved something");
            } finally {
                second.close();
            }
        }
    }

    @Test
    void privateAndLoopbackAddressesAreRefusedAtCreationAndAtDeliveryUnlessAllowed() throws Exception {
        try (TestServer server = new TestServer(config(new WebhookSettings(false, 300, 3_600_000, 30, 2, 20)));
                WebhookReceiver receiver = new WebhookReceiver((path, index) -> WebhookReceiver.Behaviour.OK, 10)) {
            for (String url : List.of(
                    receiver.url("/x"),
                    "http://localhost:9/x",
                    "http://[::1]/x",
                    "http://10.0.0.1/x",
                    "http://192.168.0.10/x",
                    "http://169.254.169.254/latest/meta-data/",
                    "http://[fe80::1]/x",
                    "http://0.0.0.0/x",
                    "http://224.0.0.1/x")) {
                TestServer.Reply refused = add(server, "{\"url\": \"" + url + "\"}");
                assertEquals(400, refused.status(), url + ": " + refused.text());
                assertEquals("WEBHOOK_URL_REFUSED", refused.errorCode(), url);
                assertEquals("url", refused.json().at("/error/details/field").asText());
            }
            // Added where the rule did not apply (the library, or a server that allowed it then): refused when sent.
            Ledger ledger = server.ledger.ledger();
            String id = ledger.addWebhook(WebhookRequest.to(receiver.url("/private")), "test")
                    .id()
                    .toString();
            ledger.topUp(Operation.topUp("wh-ssrf", "GOLD_COINS", 10, "wh-ssrf-1"));
            await(
                    () -> get(server, id).get("attempts").intValue() >= 1,
                    () -> get(server, id).toString());
            assertTrue(
                    get(server, id).get("last_error").asText().contains("loopback"),
                    get(server, id).toString());
            assertEquals(List.of(), receiver.requests(), "nothing reached the receiver");
        }
    }

    @Test
    void subscriptionsAreAddedListedReadRemovedAndResumedWithStableCodes() {
        try (TestServer server = new TestServer(config(FAST))) {
            for (String body : List.of(
                    "{\"url\": \"ftp://example.com/x\"}",
                    "{\"url\": \"https://user:pw@203.0.113.10/x\"}",
                    "{\"url\": \"https://203.0.113.10/" + "x".repeat(2_000) + "\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"types\": [\"transaction.nope\"]}",
                    "{\"url\": \"https://203.0.113.10/x\", \"types\": \"transaction.topup\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"types\": [\"transaction.topup\", \"transaction.topup\"]}",
                    "{\"url\": \"https://203.0.113.10/x\", \"secret\": \"whsec_c2hvcnQ=\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"secret\": \"not-a-secret\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"after\": \"99999999\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"after\": \"-1\"}",
                    "{\"url\": \"https://203.0.113.10/x\", \"color\": \"red\"}",
                    "{\"url\": 7}",
                    "{}",
                    "[]")) {
                TestServer.Reply refused = add(server, body);
                assertEquals(400, refused.status(), body + ": " + refused.text());
                assertEquals("VALIDATION_FAILED", refused.errorCode(), body);
            }
            String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
            TestServer.Reply added = add(
                    server,
                    "{\"url\": \"http://127.0.0.1:9/hook\", \"types\": [\"hold.placed\", \"transaction.topup\"],"
                            + " \"secret\": \"" + secret + "\"}");
            assertEquals(201, added.status(), added.text());
            assertEquals(secret, added.json().get("secret").asText());
            assertEquals(
                    "[\"hold.placed\",\"transaction.topup\"]",
                    added.json().get("types").toString());
            assertEquals("ACTIVE", added.json().get("status").asText());
            String id = added.json().get("webhook_id").asText();
            assertFalse(get(server, id).has("secret"), "the secret is shown once");
            TestServer.Reply generated = add(server, "{\"url\": \"https://203.0.113.10/other\"}");
            assertEquals(201, generated.status(), generated.text());
            assertTrue(generated.json().get("secret").asText().matches("whsec_[A-Za-z0-9+/]{43}="));

            JsonNode list = server.get("/api/v1/webhooks").json().get("webhooks");
            assertEquals(2, list.size());
            assertEquals(id, list.get(0).get("webhook_id").asText());
            assertFalse(list.toString().contains("whsec_"), "no secret in the list");

            TestServer.Reply removed = server.send(HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + id))
                    .DELETE()
                    .build());
            assertEquals(200, removed.status(), removed.text());
            assertEquals("REMOVED", removed.json().get("status").asText());
            assertFalse(removed.json().get("removed_at").isNull());
            TestServer.Reply again = server.send(HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + id))
                    .DELETE()
                    .build());
            assertEquals(200, again.status());
            assertEquals(removed.json().get("removed_at"), again.json().get("removed_at"));
            assertEquals(
                    1, server.get("/api/v1/webhooks").json().get("webhooks").size());
            assertEquals("REMOVED", get(server, id).get("status").asText());
            TestServer.Reply resumeRemoved =
                    server.send(HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + id + "/resume"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build());
            assertEquals(409, resumeRemoved.status(), resumeRemoved.text());
            assertEquals("WEBHOOK_REMOVED", resumeRemoved.errorCode());

            String unknown = "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d";
            assertEquals(
                    "WEBHOOK_NOT_FOUND",
                    server.get("/api/v1/webhooks/" + unknown).errorCode());
            assertEquals(404, server.get("/api/v1/webhooks/" + unknown).status());
            TestServer.Reply badId = server.get("/api/v1/webhooks/not-a-uuid");
            assertEquals(400, badId.status());
            assertEquals("webhook_id", badId.json().at("/error/details/field").asText());
        }
    }

    record Subscription(String id, String secret, String cursor) {}

    private static TestServer.Reply add(TestServer server, String body) {
        return server.post("/api/v1/webhooks", body);
    }

    private static Subscription subscribe(TestServer server, String url, List<String> types) throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("url", url);
        body.put("types", types);
        TestServer.Reply added = add(server, TestServer.JSON.writeValueAsString(body));
        assertEquals(201, added.status(), added.text());
        JsonNode json = added.json();
        return new Subscription(
                json.get("webhook_id").asText(),
                json.get("secret").asText(),
                json.get("cursor").asText());
    }

    private static JsonNode get(TestServer server, String id) {
        TestServer.Reply reply = server.get("/api/v1/webhooks/" + id);
        assertEquals(200, reply.status(), reply.text());
        return reply.json();
    }

    /**
     * The {@code count} events after {@code after}, once the feed has them all: a read numbers the events committed
     * so far unless another node's sequencer run is doing it (then it reads what that run placed), so the last
     * writes may join the feed a moment later.
     */
    static List<Event> feed(Ledger ledger, String after, Set<String> types, int count) {
        List<List<Event>> read = new ArrayList<>(List.of(List.of()));
        await(
                () -> {
                    read.set(
                            0,
                            ledger.events(new EventQuery(
                                            Optional.of(after), types, EventQuery.LIMIT_MAX, Duration.ZERO))
                                    .events());
                    return read.get(0).size() >= count;
                },
                () -> "the feed holds " + read.get(0).size() + " of " + count + " events");
        assertEquals(count, read.get(0).size(), "no more events than written");
        return read.get(0);
    }

    /**
     * Waits until every event was acknowledged on {@code path} and the subscription's cursor is at or past the last
     * one's (past it when events of other types followed: the cursor passes over them too).
     */
    private static void awaitDelivered(
            TestServer server, WebhookReceiver receiver, Subscription sub, String path, List<Event> events) {
        long last = EventQuery.position(events.get(events.size() - 1).cursor());
        await(
                () -> acknowledged(receiver.requests(), path).size() == events.size()
                        && EventQuery.position(
                                        get(server, sub.id()).get("cursor").asText())
                                >= last,
                () -> path + ": acknowledged "
                        + acknowledged(receiver.requests(), path).size() + " of " + events.size()
                        + "; the subscription: " + get(server, sub.id()));
    }

    private static List<String> acknowledged(List<WebhookReceiver.Request> requests, String path) {
        Set<String> ids = new LinkedHashSet<>();
        for (WebhookReceiver.Request request : requests) {
            if (request.path().equals(path) && request.acknowledged()) {
                ids.add(request.id());
            }
        }
        return new ArrayList<>(ids);
    }

    /**
     * Every request for the path is signed as the scheme says (checked here with its own HMAC), carries an event of
     * the subscription, in feed order (a request never goes back to an earlier event: a retry repeats the same one,
     * with the same id and body), and the events acknowledged are all of them, in feed order.
     */
    private static void checkSignaturesAndOrder(
            List<WebhookReceiver.Request> requests, String path, Subscription sub, List<Event> events)
            throws Exception {
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            position.put(events.get(i).id(), i);
        }
        Map<String, byte[]> bodies = new HashMap<>();
        int previous = -1;
        for (WebhookReceiver.Request request : requests) {
            if (!request.path().equals(path)) {
                continue;
            }
            assertNotNull(position.get(request.id()), "an event the subscription was not due: " + request.id());
            int at = position.get(request.id());
            assertTrue(at >= previous, "back from event " + previous + " to " + at);
            previous = at;
            assertEquals(independentSignature(sub.secret(), request), request.signature(), request.id());
            byte[] first = bodies.putIfAbsent(request.id(), request.body());
            assertTrue(first == null || Arrays.equals(first, request.body()), "a duplicate differs: " + request.id());
            assertTrue(new String(request.body(), StandardCharsets.UTF_8).contains(request.id()));
        }
        assertEquals(events.stream().map(Event::id).toList(), acknowledged(requests, path));
    }

    /** The Standard Webhooks signature as a receiver computes it, written here apart from the server's. */
    private static String independentSignature(String secret, WebhookReceiver.Request request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        String signed =
                request.id() + "." + request.timestamp() + "." + new String(request.body(), StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private static long delivered(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("wallet_webhook_deliveries_total ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1).strip());
            }
        }
        throw new AssertionError("no wallet_webhook_deliveries_total in\n" + metrics);
    }

    /** Waits, at most {@link #WAIT}, polling every 20 ms; fails with {@code state} when the time is up. */
    static void await(BooleanSupplier done, Supplier<String> state) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not done within " + WAIT.toSeconds() + " s: " + state.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
