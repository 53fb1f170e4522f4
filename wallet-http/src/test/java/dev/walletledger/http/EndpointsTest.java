package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint, starting with the README's examples (wallet-http/README.md) sent verbatim. */
class EndpointsTest {
    static final String SEED_TOPUP = """
            {
              "user_id": "user_alice",
              "asset_code": "GOLD_COINS",
              "amount": 10000,
              "reference_id": "payment_stripe_pi_xxx",
              "payment_method": "stripe",
              "metadata": {
                "payment_intent_id": "pi_xxx"
              }
            }""";
    static final String SEED_BONUS = """
            {
              "user_id": "user_alice",
              "asset_code": "GOLD_COINS",
              "amount": 500,
              "reference_id": "bonus_referral_xyz",
              "bonus_type": "REFERRAL",
              "metadata": {
                "referred_by": "user_bob"
              }
            }""";
    static final String SEED_SPEND = """
            {
              "user_id": "user_alice",
              "asset_code": "GOLD_COINS",
              "amount": 300,
              "reference_id": "purchase_item_xyz",
              "item_id": "skin_dragon_001",
              "metadata": {
                "item_name": "Dragon Skin"
              }
            }""";

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void seedExamplesVerbatimThenReplaysAndReads() {
        TestServer.Reply topUp = server.post("/api/v1/wallets/topup", SEED_TOPUP);
        assertEquals(201, topUp.status(), topUp.text());
        JsonNode t = topUp.json();
        assertEquals("payment_stripe_pi_xxx", t.get("reference_id").asText());
        assertEquals("TOPUP", t.get("type").asText());
        assertEquals("user_alice", t.get("user_id").asText());
        assertEquals("GOLD_COINS", t.get("asset_code").asText());
        assertTrue(t.get("amount").isIntegralNumber());
        assertEquals(10_000, t.get("amount").longValue());
        assertEquals(10_000, t.get("balance").longValue());
        assertEquals("stripe", t.get("payment_method").asText());
        assertEquals("pi_xxx", t.get("metadata").get("payment_intent_id").asText());
        assertNotNull(t.get("created_at"));
        assertNotNull(topUp.header("X-Request-Id"));
        assertNull(topUp.header("Idempotent-Replayed"));

        TestServer.Reply bonus = server.post("/api/v1/wallets/bonus", SEED_BONUS);
        assertEquals(201, bonus.status(), bonus.text());
        assertEquals(10_500, bonus.json().get("balance").longValue());
        assertEquals("REFERRAL", bonus.json().get("bonus_type").asText());

        TestServer.Reply spend = server.post("/api/v1/wallets/spend", SEED_SPEND);
        assertEquals(201, spend.status(), spend.text());
        assertEquals(10_200, spend.json().get("balance").longValue());
        assertEquals("skin_dragon_001", spend.json().get("item_id").asText());

        // The identical request again: the original answer, byte for byte, marked as a replay.
        TestServer.Reply replay = server.post("/api/v1/wallets/topup", SEED_TOPUP);
        assertEquals(200, replay.status(), replay.text());
        assertEquals("true", replay.header("Idempotent-Replayed"));
        assertArrayEquals(topUp.body(), replay.body());
        TestServer.Reply spendReplay = server.post("/api/v1/wallets/spend", SEED_SPEND);
        assertArrayEquals(spend.body(), spendReplay.body());

        TestServer.Reply balance = server.get("/api/v1/wallets/user_alice/balance?asset_code=GOLD_COINS");
        assertEquals(200, balance.status(), balance.text());
        assertEquals(10_200, balance.json().get("balance").longValue());
        assertEquals("user_alice", balance.json().get("user_id").asText());
        assertEquals("GOLD_COINS", balance.json().get("asset_code").asText());

        TestServer.Reply all = server.get("/api/v1/wallets/user_alice/balance");
        assertEquals(200, all.status(), all.text());
        assertEquals(1, all.json().get("balances").size());
        assertEquals(10_200, all.json().get("balances").get(0).get("balance").longValue());

        String id = t.get("transaction_id").asText();
        TestServer.Reply byId = server.get("/api/v1/transactions/" + id);
        assertEquals(200, byId.status(), byId.text());
        assertEquals(2, byId.json().get("entries").size());
        assertEquals("payment_stripe_pi_xxx", byId.json().get("reference_id").asText());
        TestServer.Reply byReference = server.get("/api/v1/transactions?reference_id=purchase_item_xyz");
        assertEquals(200, byReference.status(), byReference.text());
        assertEquals(spend.json().get("transaction_id"), byReference.json().get("transaction_id"));
    }

    @Test
    void historyPagesThroughEveryEntryOnce() {
        for (int i = 0; i < 7; i++) {
            TestServer.Reply r = server.post("/api/v1/wallets/topup", """
                    {"user_id":"user_pager","asset_code":"DIAMONDS","amount":%d,"reference_id":"pager_%d"}""".formatted(i + 1, i));
            assertEquals(201, r.status(), r.text());
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) { // bounded: 7 entries at 3 a page is 3 pages
            TestServer.Reply r = server.get("/api/v1/wallets/user_pager/transactions?asset_code=DIAMONDS&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, r.status(), r.text());
            r.json()
                    .get("items")
                    .forEach(
                            item -> assertTrue(seen.add(item.get("reference_id").asText())));
            JsonNode next = r.json().get("next_cursor");
            if (next.isNull()) {
                break;
            }
            cursor = next.asText();
        }
        assertEquals(7, seen.size());
    }

    @Test
    void batchAtomicAndIndependent() {
        TestServer.Reply atomic = server.post("/api/v1/batch", """
                {"mode":"atomic","operations":[
                  {"type":"TOPUP","user_id":"user_batch","asset_code":"GOLD_COINS","amount":100,"reference_id":"b_1"},
                  {"type":"SPEND","user_id":"user_batch","asset_code":"GOLD_COINS","amount":40,"reference_id":"b_2","item_id":"x"}]}""");
        assertEquals(200, atomic.status(), atomic.text());
        assertEquals(2, atomic.json().get("applied").intValue());
        assertEquals(
                60,
                atomic.json()
                        .get("outcomes")
                        .get(1)
                        .get("transaction")
                        .get("balance")
                        .longValue());

        TestServer.Reply refused = server.post("/api/v1/batch", """
                {"mode":"atomic","operations":[
                  {"type":"TOPUP","user_id":"user_batch","asset_code":"GOLD_COINS","amount":1,"reference_id":"b_3"},
                  {"type":"SPEND","user_id":"user_batch","asset_code":"GOLD_COINS","amount":1000,"reference_id":"b_4"}]}""");
        assertEquals(422, refused.status(), refused.text());
        assertEquals("INSUFFICIENT_FUNDS", refused.errorCode());
        assertEquals(60, server.balance("user_batch", "GOLD_COINS"));

        TestServer.Reply independent = server.post("/api/v1/batch", """
                {"mode":"independent","operations":[
                  {"type":"TOPUP","user_id":"user_batch","asset_code":"GOLD_COINS","amount":100,"reference_id":"b_1"},
                  {"type":"SPEND","user_id":"user_batch","asset_code":"GOLD_COINS","amount":1000,"reference_id":"b_5"},
                  {"type":"BONUS","user_id":"user_batch","asset_code":"GOLD_COINS","amount":5,"reference_id":"b_6"}]}""");
        assertEquals(200, independent.status(), independent.text());
        JsonNode outcomes = independent.json().get("outcomes");
        assertEquals("replayed", outcomes.get(0).get("status").asText());
        assertEquals("refused", outcomes.get(1).get("status").asText());
        assertEquals(
                "INSUFFICIENT_FUNDS", outcomes.get(1).get("error").get("code").asText());
        assertEquals("applied", outcomes.get(2).get("status").asText());
        assertEquals(65, server.balance("user_batch", "GOLD_COINS"));
    }

    @Test
    void healthAssetsMetricsAndOpenApi() {
        TestServer.Reply health = server.get("/api/v1/health");
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        TestServer.Reply assets = server.get("/api/v1/assets");
        assertEquals(200, assets.status());
        assertTrue(assets.text().contains("GOLD_COINS"));
        TestServer.Reply metrics = server.get("/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.header("Content-Type").startsWith("text/plain"));
        String text = metrics.text();
        for (String name : new String[] {
            "wallet_http_requests_total{route=\"GET /api/v1/health\",status=\"200\"}",
            "wallet_http_request_duration_seconds_bucket",
            "wallet_ledger_retries_total",
            "wallet_pool_connections_active"
        }) {
            assertTrue(text.contains(name), name + " missing from\n" + text);
        }
        TestServer.Reply openApi = server.get("/api/v1/openapi.json");
        assertEquals(200, openApi.status());
        assertEquals("3.0.3", openApi.json().get("openapi").asText());
    }

    @Test
    void requestIdIsEchoedWhenSaneAndGeneratedOtherwise() {
        TestServer.Reply given = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/health"))
                .header("X-Request-Id", "trace-123")
                .GET()
                .build());
        assertEquals("trace-123", given.header("X-Request-Id"));
        TestServer.Reply generated = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/health"))
                .header("X-Request-Id", "bad id with spaces")
                .GET()
                .build());
        assertFalse(generated.header("X-Request-Id").contains(" "));
    }
}
