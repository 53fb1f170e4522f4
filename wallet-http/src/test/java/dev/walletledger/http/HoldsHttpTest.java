package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Holds over HTTP: reserve, capture, void, read, list, in batches; every answer is checked against openapi.json. */
class HoldsHttpTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void topUp(String user, long amount, String reference) {
        TestServer.Reply reply = server.post("/api/v1/wallets/topup", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s"}""".formatted(user, amount, reference));
        assertEquals(201, reply.status(), reply.text());
    }

    private static String hold(String user, long amount, String reference) {
        TestServer.Reply held = server.post("/api/v1/holds", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s",
                 "expires_in_seconds": 600}""".formatted(user, amount, reference));
        assertEquals(201, held.status(), held.text());
        return held.json().get("hold_id").asText();
    }

    @Test
    void aHoldIsCapturedOnceAndEveryRetryReplaysItsFirstAnswer() {
        topUp("hh-ann", 500, "hh-fund");
        String body = """
                {"user_id": "hh-ann", "asset_code": "GOLD_COINS", "amount": 300, "reference_id": "hh-bid",
                 "expires_in_seconds": 600, "metadata": {"auction": 77}}""";
        TestServer.Reply held = server.post("/api/v1/holds", body);
        assertEquals(201, held.status(), held.text());
        JsonNode h = held.json();
        String id = h.get("hold_id").asText();
        assertEquals(h.get("transaction_id").asText(), id);
        assertEquals("HOLD", h.get("type").asText());
        assertEquals("OPEN", h.get("status").asText());
        assertEquals(300, h.get("remaining").longValue());
        assertEquals(200, h.get("balance").longValue());
        assertEquals(300, h.get("held").longValue());
        assertTrue(h.get("expires_at").asText().endsWith("Z"), h.toString());
        TestServer.Reply replay = server.post("/api/v1/holds", body);
        assertEquals(200, replay.status());
        assertArrayEquals(held.body(), replay.body());

        JsonNode balance = server.get("/api/v1/wallets/hh-ann/balance?asset_code=GOLD_COINS")
                .json();
        assertEquals(200, balance.get("balance").longValue());
        assertEquals(300, balance.get("held").longValue());
        TestServer.Reply tooMuch = server.post("/api/v1/wallets/spend", """
                {"user_id": "hh-ann", "asset_code": "GOLD_COINS", "amount": 201, "reference_id": "hh-spend"}""");
        assertEquals(422, tooMuch.status(), "held coins are never spendable");

        String capture = """
                {"reference_id": "hh-won", "amount": 250, "item_id": "auction_77"}""";
        TestServer.Reply captured = server.post("/api/v1/holds/" + id + "/capture", capture);
        assertEquals(201, captured.status(), captured.text());
        JsonNode c = captured.json();
        assertEquals("CAPTURE", c.get("type").asText());
        assertEquals(250, c.get("captured").longValue());
        assertEquals(50, c.get("released").longValue());
        assertEquals(0, c.get("remaining").longValue());
        assertEquals("CAPTURED", c.get("status").asText());
        assertEquals(250, c.get("balance").longValue());
        assertEquals(0, c.get("held").longValue());
        TestServer.Reply again = server.post("/api/v1/holds/" + id + "/capture", capture);
        assertEquals(200, again.status());
        assertArrayEquals(captured.body(), again.body());

        TestServer.Reply voided = server.post("/api/v1/holds/" + id + "/void", """
                {"reference_id": "hh-void"}""");
        assertEquals(409, voided.status(), voided.text());
        assertEquals("HOLD_CLOSED", voided.errorCode());
        assertEquals("CAPTURED", voided.json().at("/error/details/status").asText());
        TestServer.Reply voidAgain = server.post("/api/v1/holds/" + id + "/void", """
                {"reference_id": "hh-void"}""");
        assertEquals(409, voidAgain.status());
        assertEquals("true", voidAgain.header("Idempotent-Replayed"));

        JsonNode read = server.get("/api/v1/holds/" + id).json();
        assertEquals("CAPTURED", read.get("status").asText());
        assertEquals(250, read.get("captured").longValue());
        assertEquals(50, read.get("released").longValue());
        JsonNode list =
                server.get("/api/v1/wallets/hh-ann/holds?status=captured").json();
        assertEquals(id, list.at("/holds/0/hold_id").asText());
        assertTrue(list.get("next_cursor").isNull());
    }

    @Test
    void refusalsAreClearAndStable() {
        topUp("hh-bo", 100, "hh-bo-fund");
        String id = hold("hh-bo", 40, "hh-bo-h");
        TestServer.Reply exceeded = server.post("/api/v1/holds/" + id + "/capture", """
                {"reference_id": "hh-bo-c", "amount": 41}""");
        assertEquals(422, exceeded.status(), exceeded.text());
        assertEquals("HOLD_AMOUNT_EXCEEDED", exceeded.errorCode());
        assertEquals(40, exceeded.json().at("/error/details/remaining").longValue());
        TestServer.Reply unknown = server.post("/api/v1/holds/0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d/void", """
                {"reference_id": "hh-bo-v"}""");
        assertEquals(404, unknown.status());
        assertEquals("HOLD_NOT_FOUND", unknown.errorCode());
        assertEquals(
                404,
                server.get("/api/v1/holds/0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d").status());
        assertEquals(400, server.get("/api/v1/holds/not-a-uuid").status());
        for (String bad : new String[] {
            "\"expires_in_seconds\": 0",
            "\"expires_in_seconds\": 2592001",
            "\"expires_in_seconds\": 60, \"expires_at\": \"2030-01-01T00:00:00Z\"",
            "\"expires_at\": \"2000-01-01T00:00:00Z\"",
            "\"expires_at\": \"tomorrow\"",
            "\"expires_in_seconds\": \"60\""
        }) {
            TestServer.Reply reply = server.post("/api/v1/holds", """
                    {"user_id": "hh-bo", "asset_code": "GOLD_COINS", "amount": 1, "reference_id": "hh-bo-x", %s}""".formatted(bad));
            assertEquals(400, reply.status(), bad + ": " + reply.text());
            assertEquals("VALIDATION_FAILED", reply.errorCode(), bad);
        }
        TestServer.Reply reserved = server.post("/api/v1/wallets/topup", """
                {"user_id": "hh-bo", "asset_code": "GOLD_COINS", "amount": 1, "reference_id": "wallet-ledger:expiry:x"}""");
        assertEquals(400, reserved.status());
        assertEquals(
                400, server.get("/api/v1/wallets/hh-bo/holds?status=pending").status());
        JsonNode balance = server.get("/api/v1/wallets/hh-bo/balance?asset_code=GOLD_COINS")
                .json();
        assertEquals(60, balance.get("balance").longValue(), "refusals moved nothing");
        assertEquals(40, balance.get("held").longValue());
    }

    @Test
    void holdsCapturesAndVoidsRunInBatches() {
        topUp("hh-cy", 100, "hh-cy-fund");
        String id = hold("hh-cy", 50, "hh-cy-h");
        TestServer.Reply batch = server.post("/api/v1/batch", """
                {"mode": "independent", "operations": [
                  {"type": "HOLD", "user_id": "hh-cy", "asset_code": "GOLD_COINS", "amount": 10,
                   "reference_id": "hh-cy-b1", "expires_in_seconds": 60},
                  {"type": "CAPTURE", "hold_id": "%1$s", "reference_id": "hh-cy-b2", "amount": 20, "final": false},
                  {"type": "VOID", "hold_id": "%1$s", "reference_id": "hh-cy-b3"},
                  {"type": "EXPIRY", "hold_id": "%1$s", "reference_id": "hh-cy-b4"}
                ]}""".formatted(id));
        assertEquals(400, batch.status(), "an expiry is the ledger's own: " + batch.text());
        TestServer.Reply ok = server.post("/api/v1/batch", """
                {"mode": "independent", "operations": [
                  {"type": "HOLD", "user_id": "hh-cy", "asset_code": "GOLD_COINS", "amount": 10,
                   "reference_id": "hh-cy-b1", "expires_in_seconds": 60},
                  {"type": "CAPTURE", "hold_id": "%1$s", "reference_id": "hh-cy-b2", "amount": 20, "final": false},
                  {"type": "VOID", "hold_id": "%1$s", "reference_id": "hh-cy-b3"}
                ]}""".formatted(id));
        assertEquals(200, ok.status(), ok.text());
        assertEquals(3, ok.json().get("applied").longValue(), ok.text());
        JsonNode balance = server.get("/api/v1/wallets/hh-cy/balance?asset_code=GOLD_COINS")
                .json();
        assertEquals(70, balance.get("balance").longValue());
        assertEquals(10, balance.get("held").longValue());
    }
}
