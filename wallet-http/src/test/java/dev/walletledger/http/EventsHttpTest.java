package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event feed and wallet controls over HTTP: paging by cursor, the types filter, bad input as 400s naming the
 * field, a long poll answered by a write, the long polls' bound, controls set, read and refused writes, and the
 * admin scope. Every answer is checked against openapi.json (TestServer does it).
 */
class EventsHttpTest {
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(20);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode write(String path, String json) {
        TestServer.Reply reply = server.post(path, json);
        assertEquals(201, reply.status(), reply.text());
        return reply.json();
    }

    private static JsonNode topUp(String user, long amount, String reference) {
        return write("/api/v1/wallets/topup", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s"}""".formatted(user, amount, reference));
    }

    private static TestServer.Reply spend(String user, long amount, String reference) {
        return server.post("/api/v1/wallets/spend", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s"}""".formatted(user, amount, reference));
    }

    static TestServer.Reply put(TestServer on, String path, String json, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(on.uri(path))
                .timeout(ANSWER_WAIT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return on.send(request.build(), json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode controls(String user, String json) {
        TestServer.Reply reply = put(server, "/api/v1/wallets/" + user + "/controls?asset_code=GOLD_COINS", json, null);
        assertEquals(200, reply.status(), reply.text());
        return reply.json();
    }

    /** The feed's end now: pages through to it (bounded), so each test reads only what it wrote. */
    private static String end() {
        String after = null;
        for (int page = 0; page < 1_000; page++) {
            JsonNode read = server.get("/api/v1/events?limit=1000" + (after == null ? "" : "&after=" + after))
                    .json();
            after = read.get("next").asText();
            if (read.get("events").isEmpty()) {
                return after;
            }
        }
        throw new AssertionError("the feed has an end");
    }

    /** Every event after {@code after}, {@code limit} a page, of {@code types} (null: all). */
    private static List<JsonNode> read(String after, int limit, String types) {
        List<JsonNode> events = new ArrayList<>();
        for (int page = 0; page < 1_000; page++) {
            TestServer.Reply reply = server.get(
                    "/api/v1/events?after=" + after + "&limit=" + limit + (types == null ? "" : "&types=" + types));
            assertEquals(200, reply.status(), reply.text());
            JsonNode read = reply.json();
            assertTrue(read.get("events").size() <= limit, read.toString());
            read.get("events").forEach(events::add);
            if (read.get("events").isEmpty()) {
                return events;
            }
            after = read.get("next").asText();
        }
        throw new AssertionError("the feed has an end");
    }

    @Test
    void theFeedPagesByCursorAndFiltersByType() {
        String start = end();
        topUp("ev-ann", 100, "ev-a1");
        assertEquals(70, spend("ev-ann", 30, "ev-a2").json().get("balance").longValue());
        controls("ev-ann", """
                {"status": "FROZEN", "reason": "fraud check"}""");
        controls("ev-ann", """
                {"status": "ACTIVE", "reason": "cleared"}""");

        List<JsonNode> events = read(start, 3, null);
        assertEquals(
                List.of("transaction.topup", "transaction.spend", "wallet.frozen", "wallet.unfrozen"),
                events.stream().map(e -> e.get("type").asText()).toList());
        JsonNode spent = events.get(1);
        assertTrue(spent.get("id").asText().startsWith("evt_"), spent.toString());
        assertTrue(spent.get("actor").isNull(), "no key acted: the server runs without keys");
        assertEquals("SPEND", spent.at("/transaction/type").asText());
        assertEquals(70, spent.at("/transaction/balance").longValue());
        assertTrue(!spent.has("controls"), spent.toString());
        JsonNode frozen = events.get(2).get("controls");
        assertEquals("FROZEN", frozen.get("status").asText());
        assertEquals("fraud check", frozen.get("reason").asText());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(
                    Long.parseLong(events.get(i).get("cursor").asText())
                            > Long.parseLong(events.get(i - 1).get("cursor").asText()),
                    "cursors grow in feed order");
        }

        List<JsonNode> filtered = read(start, 1, "wallet.frozen,transaction.spend");
        assertEquals(
                List.of("transaction.spend", "wallet.frozen"),
                filtered.stream().map(e -> e.get("type").asText()).toList());
        // Reading on from an event's cursor gives what follows it, and an empty page at the end keeps the cursor.
        List<JsonNode> rest = read(events.get(1).get("cursor").asText(), 100, null);
        assertEquals(2, rest.size());
        String last = events.get(3).get("cursor").asText();
        JsonNode atEnd = server.get("/api/v1/events?after=" + last).json();
        assertEquals(0, atEnd.get("events").size());
        assertEquals(last, atEnd.get("next").asText());
    }

    @Test
    void badFeedParametersAre400sNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("after=abc", "after");
        cases.put("after=-1", "after");
        cases.put("after=12345678901234567890", "after");
        cases.put("types=transaction.nope", "types");
        cases.put("types=transaction.spend,,hold.placed", "types");
        cases.put("types=transaction.spend,transaction.spend", "types");
        cases.put("types=" + "hold.placed,".repeat(30) + "hold.placed", "types");
        cases.put("limit=0", "limit");
        cases.put("limit=1001", "limit");
        cases.put("limit=ten", "limit");
        cases.put("limit=10000000000", "limit");
        cases.put("wait=31", "wait");
        cases.put("wait=-1", "wait");
        cases.put("wait=1.5", "wait");
        cases.put("since=1", "since");
        cases.put("limit=", "limit");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            TestServer.Reply reply = server.get("/api/v1/events?" + c.getKey());
            assertEquals(400, reply.status(), c.getKey() + ": " + reply.text());
            assertEquals("VALIDATION_FAILED", reply.errorCode(), c.getKey());
            assertEquals(c.getValue(), reply.json().at("/error/details/field").asText(), c.getKey());
        }
    }

    @Test
    void aLongPollIsAnsweredByTheNextWrite() throws Exception {
        String start = end();
        // Nothing comes: the wait ends with an empty page that keeps the cursor.
        JsonNode quiet = server.get("/api/v1/events?wait=1&after=" + start).json();
        assertEquals(0, quiet.get("events").size());
        assertEquals(start, quiet.get("next").asText());

        CompletableFuture<TestServer.Reply> polling = CompletableFuture.supplyAsync(
                () -> server.get("/api/v1/events?wait=30&types=transaction.topup&after=" + start));
        topUp("ev-poll", 5, "ev-p1");
        TestServer.Reply reply = polling.get(ANSWER_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.text());
        JsonNode events = reply.json().get("events");
        assertEquals(1, events.size(), reply.text());
        assertEquals("ev-poll", events.get(0).at("/transaction/user_id").asText());
    }

    @Test
    void longPollsPastTheirBoundAre503BusyAndReadsWithoutWaitAreServed() throws Exception {
        try (TestServer own = new TestServer()) {
            int bound = WalletServer.longPollsMax(WalletServer.workers(16)); // the default pool of 16
            String start = own.get("/api/v1/events").json().get("next").asText();
            List<CompletableFuture<TestServer.Reply>> waiting = new ArrayList<>();
            for (int i = 0; i < bound; i++) {
                waiting.add(CompletableFuture.supplyAsync(() -> own.get("/api/v1/events?wait=30&after=" + start)));
            }
            awaitInFlight(own, bound);
            TestServer.Reply refused = own.get("/api/v1/events?wait=30&after=" + start);
            assertEquals(503, refused.status(), refused.text());
            assertEquals("BUSY", refused.errorCode());
            assertEquals(
                    bound, refused.json().at("/error/details/long_polls_max").intValue());
            assertEquals("1", refused.header("Retry-After"));
            assertEquals(200, own.get("/api/v1/events?after=" + start).status(), "a read without wait is served");

            TestServer.Reply written = own.post("/api/v1/wallets/topup", """
                    {"user_id": "ev-many", "asset_code": "GOLD_COINS", "amount": 5, "reference_id": "ev-m1"}""");
            assertEquals(201, written.status(), written.text());
            for (CompletableFuture<TestServer.Reply> poll : waiting) {
                TestServer.Reply answered = poll.get(ANSWER_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, answered.status(), answered.text());
                assertEquals(1, answered.json().get("events").size(), answered.text());
            }
        }
    }

    /** Until the server holds {@code polls} requests besides the scrape (bounded: 400 scrapes, 25 ms apart). */
    private static void awaitInFlight(TestServer on, int polls) throws InterruptedException {
        for (int attempt = 0; attempt < 400; attempt++) {
            for (String line : on.get("/metrics").text().split("\n")) {
                if (line.startsWith("wallet_http_requests_in_flight ")
                        && Double.parseDouble(line.substring(line.indexOf(' ') + 1)) >= polls + 1) {
                    return;
                }
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the long polls never all waited");
    }

    @Test
    void controlsAreSetReadAndRecordedAndWritesObeyThem() {
        JsonNode none = server.get("/api/v1/wallets/ev-bob/controls?asset_code=GOLD_COINS")
                .json();
        assertEquals("ACTIVE", none.get("status").asText());
        assertTrue(none.get("max_balance").isNull() && none.get("change_id").isNull(), none.toString());

        topUp("ev-bob", 100, "ev-b1");
        JsonNode frozen = controls("ev-bob", """
                {"status": "FROZEN", "reason": "chargeback dispute"}""");
        assertEquals("FROZEN", frozen.get("status").asText());
        TestServer.Reply refused = spend("ev-bob", 10, "ev-b2");
        assertEquals(422, refused.status(), refused.text());
        assertEquals("WALLET_FROZEN", refused.errorCode());
        topUp("ev-bob", 10, "ev-b3"); // credits still land on a frozen wallet

        JsonNode capped = controls("ev-bob", """
                {"status": "ACTIVE", "max_balance": 150, "daily_spend_limit": 40, "reason": "new limits"}""");
        assertEquals(150, capped.get("max_balance").longValue());
        assertEquals(40, capped.get("daily_spend_limit").longValue());
        TestServer.Reply tooRich = server.post("/api/v1/wallets/topup", """
                {"user_id": "ev-bob", "asset_code": "GOLD_COINS", "amount": 41, "reference_id": "ev-b4"}""");
        assertEquals(422, tooRich.status(), tooRich.text());
        assertEquals("LIMIT_EXCEEDED", tooRich.errorCode());
        assertEquals("max_balance", tooRich.json().at("/error/details/limit").asText());
        assertEquals(150, tooRich.json().at("/error/details/value").longValue());
        TestServer.Reply again = server.post("/api/v1/wallets/topup", """
                {"user_id": "ev-bob", "asset_code": "GOLD_COINS", "amount": 41, "reference_id": "ev-b4"}""");
        assertEquals(422, again.status(), "the refusal binds its reference");
        assertEquals("true", again.header("Idempotent-Replayed"));
        assertEquals(201, spend("ev-bob", 40, "ev-b5").status());
        TestServer.Reply overDaily = spend("ev-bob", 1, "ev-b6");
        assertEquals(422, overDaily.status(), overDaily.text());
        assertEquals("LIMIT_EXCEEDED", overDaily.errorCode());
        assertEquals(
                "daily_spend_limit", overDaily.json().at("/error/details/limit").asText());
        assertEquals(
                40,
                server.get("/api/v1/wallets/ev-bob/controls?asset_code=GOLD_COINS")
                        .json()
                        .get("spent_today")
                        .longValue());

        // A limit sent as null is removed; one left out is kept.
        JsonNode uncapped = controls("ev-bob", """
                {"max_balance": null, "reason": "vip"}""");
        assertTrue(uncapped.get("max_balance").isNull(), uncapped.toString());
        assertEquals(40, uncapped.get("daily_spend_limit").longValue());
        JsonNode closed = controls("ev-bob", """
                {"status": "CLOSED", "reason": "account deleted"}""");
        assertEquals("CLOSED", closed.get("status").asText());
        TestServer.Reply onClosed = server.post("/api/v1/wallets/topup", """
                {"user_id": "ev-bob", "asset_code": "GOLD_COINS", "amount": 1, "reference_id": "ev-b7"}""");
        assertEquals(422, onClosed.status(), onClosed.text());
        assertEquals("WALLET_CLOSED", onClosed.errorCode());

        JsonNode history = server.get("/api/v1/wallets/ev-bob/controls/history?asset_code=GOLD_COINS")
                .json();
        assertEquals(
                List.of("account deleted", "vip", "new limits", "chargeback dispute"),
                history.get("changes").findValuesAsText("reason"));
    }

    @Test
    void badControlsAreRefusedNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"status\": \"FROZEN\"}", "reason");
        cases.put("{\"status\": \"FROZEN\", \"reason\": \"  \"}", "reason");
        cases.put("{\"status\": \"frozen\", \"reason\": \"r\"}", "status");
        cases.put("{\"status\": null, \"reason\": \"r\"}", "status");
        cases.put("{\"max_balance\": -1, \"reason\": \"r\"}", "max_balance");
        cases.put("{\"max_balance\": 1.5, \"reason\": \"r\"}", "max_balance");
        cases.put("{\"daily_spend_limit\": \"10\", \"reason\": \"r\"}", "daily_spend_limit");
        cases.put("{\"daily_spend_limit\": 1000000000000001, \"reason\": \"r\"}", "daily_spend_limit");
        cases.put("{\"frozen\": true, \"reason\": \"r\"}", "frozen");
        cases.put("[]", "body");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            TestServer.Reply reply =
                    put(server, "/api/v1/wallets/ev-cid/controls?asset_code=GOLD_COINS", c.getKey(), null);
            assertEquals(400, reply.status(), c.getKey() + ": " + reply.text());
            assertEquals("VALIDATION_FAILED", reply.errorCode(), c.getKey());
            assertEquals(c.getValue(), reply.json().at("/error/details/field").asText(), c.getKey());
        }
        TestServer.Reply noAsset = put(server, "/api/v1/wallets/ev-cid/controls", "{\"reason\": \"r\"}", null);
        assertEquals("asset_code", noAsset.json().at("/error/details/field").asText(), noAsset.text());
        TestServer.Reply unknown = server.get("/api/v1/wallets/ev-cid/controls/history?asset_code=NOPE");
        assertEquals(404, unknown.status(), unknown.text());
        assertEquals("ASSET_NOT_FOUND", unknown.errorCode());
    }

    @Test
    void theFeedAndControlsNeedTheAdminScopeAndRecordTheActingKey() {
        ApiKeys.Generated app = ApiKeys.generate("game", EnumSet.of(Scope.READ, Scope.WRITE), new SecureRandom());
        ApiKeys.Generated ops = ApiKeys.generate("ops", EnumSet.of(Scope.ADMIN), new SecureRandom());
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", app.line() + "\n" + ops.line() + "\n")));
        try (TestServer keyed = new TestServer(TestServer.config().withApiKeys(keys))) {
            String path = "/api/v1/wallets/ev-dan/controls?asset_code=GOLD_COINS";
            String freeze = "{\"status\": \"FROZEN\", \"reason\": \"ops ticket 9\"}";
            for (String get :
                    List.of("/api/v1/events", path, "/api/v1/wallets/ev-dan/controls/history?asset_code=GOLD_COINS")) {
                TestServer.Reply forbidden = keyed.send(HttpRequest.newBuilder(keyed.uri(get))
                        .header("Authorization", "Bearer " + app.key())
                        .build());
                assertEquals(403, forbidden.status(), get + ": " + forbidden.text());
                // The controls are support's too (the operator console); the feed is admin's alone.
                assertEquals(
                        get.equals("/api/v1/events") ? "admin" : "admin support",
                        forbidden.json().at("/error/details/required_scope").asText());
            }
            assertEquals(403, put(keyed, path, freeze, app.key()).status());

            TestServer.Reply set = put(keyed, path, freeze, ops.key());
            assertEquals(200, set.status(), set.text());
            assertEquals("ops", set.json().get("actor").asText());
            TestServer.Reply feed = keyed.send(HttpRequest.newBuilder(keyed.uri("/api/v1/events?types=wallet.frozen"))
                    .header("Authorization", "Bearer " + ops.key())
                    .build());
            assertEquals(200, feed.status(), feed.text());
            JsonNode event = feed.json().get("events").get(0);
            assertEquals("ops", event.get("actor").asText());
            assertEquals("ops ticket 9", event.at("/controls/reason").asText());
        }
    }
}
