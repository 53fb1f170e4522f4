package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Transfers, reversals, chargebacks and adjustments over HTTP; every answer is checked against openapi.json. */
class MovementsHttpTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String topUp(String user, long amount, String reference) {
        TestServer.Reply reply = server.post("/api/v1/wallets/topup", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s"}""".formatted(user, amount, reference));
        assertEquals(201, reply.status(), reply.text());
        return reply.json().get("transaction_id").asText();
    }

    @Test
    void aTransferAnswersBothBalancesReplaysByteForByteAndNamesAConflict() {
        topUp("h-ann", 500, "h-t-fund");
        String body = """
                {"from_user_id": "h-ann", "to_user_id": "h-ben", "asset_code": "GOLD_COINS", "amount": 120,
                 "reference_id": "h-t-1", "metadata": {"message": "gg"}}""";
        TestServer.Reply sent = server.post("/api/v1/wallets/transfer", body);
        assertEquals(201, sent.status(), sent.text());
        JsonNode t = sent.json();
        assertEquals("TRANSFER", t.get("type").asText());
        assertEquals("h-ann", t.get("from_user_id").asText());
        assertEquals("h-ben", t.get("to_user_id").asText());
        assertEquals(380, t.get("from_balance").longValue());
        assertEquals(120, t.get("to_balance").longValue());
        TestServer.Reply replay = server.post("/api/v1/wallets/transfer", body);
        assertEquals(200, replay.status());
        assertEquals("true", replay.header("Idempotent-Replayed"));
        assertArrayEquals(sent.body(), replay.body());
        TestServer.Reply conflict = server.post("/api/v1/wallets/transfer", body.replace("h-ben", "h-cat"));
        assertEquals(409, conflict.status(), conflict.text());
        assertEquals("to_user_id", conflict.json().at("/error/details/fields/0").asText());

        TestServer.Reply same = server.post("/api/v1/wallets/transfer", body.replace("h-ben", "h-ann"));
        assertEquals(400, same.status());
        assertEquals("to_user_id", same.json().at("/error/details/field").asText());
        TestServer.Reply nobody = server.post(
                "/api/v1/wallets/transfer",
                body.replace("\"h-ann\"", "\"h-nobody\"").replace("h-t-1", "h-t-3"));
        assertEquals(404, nobody.status());
        assertEquals("WALLET_NOT_FOUND", nobody.errorCode());
        TestServer.Reply tooMuch = server.post(
                "/api/v1/wallets/transfer", body.replace("120", "9999").replace("h-t-1", "h-t-2"));
        assertEquals(422, tooMuch.status());
        assertEquals("INSUFFICIENT_FUNDS", tooMuch.errorCode());

        JsonNode history = server.get("/api/v1/wallets/h-ben/transactions").json();
        assertEquals("h-ann", history.at("/items/0/counterparty").asText());
    }

    @Test
    void reversalsRefundInPartsAndAreListedOnTheOriginal() {
        topUp("h-rev", 1_000, "h-r-fund");
        TestServer.Reply spend = server.post("/api/v1/wallets/spend", """
                {"user_id": "h-rev", "asset_code": "GOLD_COINS", "amount": 300, "reference_id": "h-r-spend"}""");
        String id = spend.json().get("transaction_id").asText();
        TestServer.Reply part = server.post("/api/v1/transactions/" + id + "/reversal", """
                {"reference_id": "h-r-1", "amount": 100, "reason": "bought by mistake"}""");
        assertEquals(201, part.status(), part.text());
        assertEquals("REVERSAL", part.json().get("type").asText());
        assertEquals(id, part.json().get("reverses").asText());
        assertEquals(800, part.json().get("balance").longValue());
        assertEquals(800, part.json().at("/balances/0/balance").longValue());
        TestServer.Reply tooMuch = server.post("/api/v1/transactions/" + id + "/reversal", """
                {"reference_id": "h-r-2", "amount": 201}""");
        assertEquals(422, tooMuch.status());
        assertEquals("REVERSAL_EXCEEDS_ORIGINAL", tooMuch.errorCode());
        assertEquals(200, tooMuch.json().at("/error/details/remaining").longValue());
        TestServer.Reply rest = server.post("/api/v1/transactions/" + id + "/reversal", """
                {"reference_id": "h-r-3"}""");
        assertEquals(201, rest.status(), rest.text());
        assertEquals(200, rest.json().get("amount").longValue());

        JsonNode read = server.get("/api/v1/transactions/" + id).json();
        assertEquals(0, read.get("reversible_amount").longValue());
        assertEquals(2, read.get("reversals").size());
        assertEquals(part.json().get("transaction_id"), read.at("/reversals/0/transaction_id"));
        TestServer.Reply ofAReversal = server.post(
                "/api/v1/transactions/" + rest.json().get("transaction_id").asText() + "/reversal", """
                {"reference_id": "h-r-4"}""");
        assertEquals(422, ofAReversal.status());
        assertEquals("NOT_REVERSIBLE", ofAReversal.errorCode());
        TestServer.Reply unknown =
                server.post("/api/v1/transactions/0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d/reversal", """
                {"reference_id": "h-r-5"}""");
        assertEquals(404, unknown.status());
        assertEquals("TRANSACTION_NOT_FOUND", unknown.errorCode());
        TestServer.Reply badId = server.post("/api/v1/transactions/not-a-uuid/reversal", """
                {"reference_id": "h-r-6"}""");
        assertEquals(400, badId.status());
        assertEquals("transaction_id", badId.json().at("/error/details/field").asText());
    }

    @Test
    void chargebacksStateRecoveredShortfallAndBalanceUnderEitherPolicy() {
        String debtTopUp = topUp("h-cb", 1_000, "h-c-top");
        server.post("/api/v1/wallets/spend", """
                {"user_id": "h-cb", "asset_code": "GOLD_COINS", "amount": 700, "reference_id": "h-c-spend"}""");
        TestServer.Reply debt = server.post("/api/v1/transactions/" + debtTopUp + "/chargeback", """
                {"reference_id": "h-c-1", "policy": "debt"}""");
        assertEquals(201, debt.status(), debt.text());
        assertEquals(300, debt.json().get("recovered").longValue());
        assertEquals(700, debt.json().get("shortfall").longValue());
        assertEquals(-700, debt.json().get("balance").longValue());
        assertEquals("debt", debt.json().get("policy").asText());
        assertEquals(-700, server.balance("h-cb", "GOLD_COINS"));

        String writeOffTopUp = topUp("h-wo", 100, "h-w-top");
        server.post("/api/v1/wallets/spend", """
                {"user_id": "h-wo", "asset_code": "GOLD_COINS", "amount": 60, "reference_id": "h-w-spend"}""");
        TestServer.Reply writeOff = server.post("/api/v1/transactions/" + writeOffTopUp + "/chargeback", """
                {"reference_id": "h-w-1", "policy": "write_off"}""");
        assertEquals(201, writeOff.status(), writeOff.text());
        assertEquals(40, writeOff.json().get("recovered").longValue());
        assertEquals(60, writeOff.json().get("shortfall").longValue());
        assertEquals(0, writeOff.json().get("balance").longValue());
        TestServer.Reply noPolicy = server.post("/api/v1/transactions/" + writeOffTopUp + "/chargeback", """
                {"reference_id": "h-w-2"}""");
        assertEquals(400, noPolicy.status());
        assertEquals("policy", noPolicy.json().at("/error/details/field").asText());
    }

    @Test
    void anAtomicBatchSellsAnItemAndEveryTypeIsAcceptedInABatch() {
        topUp("h-buyer", 1_000, "h-s-fund");
        String top = topUp("h-seller", 10, "h-s-seller-fund");
        TestServer.Reply sale = server.post("/api/v1/batch", """
                {"mode": "atomic", "operations": [
                  {"type": "TRANSFER", "from_user_id": "h-buyer", "to_user_id": "h-seller", "asset_code": "GOLD_COINS",
                   "amount": 900, "reference_id": "h-sale-price"},
                  {"type": "SPEND", "user_id": "h-buyer", "asset_code": "GOLD_COINS", "amount": 100,
                   "reference_id": "h-sale-fee", "item_id": "market-fee"},
                  {"type": "REVERSAL", "transaction_id": "%s", "reference_id": "h-sale-rev", "amount": 5},
                  {"type": "CHARGEBACK", "transaction_id": "%s", "reference_id": "h-sale-cb", "amount": 5,
                   "policy": "write_off"}
                ]}""".formatted(top, top));
        assertEquals(200, sale.status(), sale.text());
        assertEquals(4, sale.json().get("applied").intValue());
        assertEquals(0, server.balance("h-buyer", "GOLD_COINS"));
        assertEquals(900, server.balance("h-seller", "GOLD_COINS"));
    }

    @Test
    void adjustmentsNeedTheAdminScopeAloneAndInABatch() throws Exception {
        SecureRandom random = new SecureRandom();
        ApiKeys.Generated writer = ApiKeys.generate("writer", EnumSet.of(Scope.WRITE), random);
        ApiKeys.Generated admin = ApiKeys.generate("ops-kim", EnumSet.of(Scope.ADMIN, Scope.WRITE), random);
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", writer.line() + "\n" + admin.line())));
        try (TestServer keyed = new TestServer(TestServer.config().withApiKeys(keys))) {
            String adjust = """
                    {"user_id": "h-adj", "asset_code": "GOLD_COINS", "direction": "credit", "amount": 50,
                     "reference_id": "h-a-1", "reason": "compensation for the outage"}""";
            assertEquals(
                    403,
                    post(keyed, "/api/v1/adjustments", adjust, writer.key()).status());
            TestServer.Reply done = post(keyed, "/api/v1/adjustments", adjust, admin.key());
            assertEquals(201, done.status(), done.text());
            assertEquals("ops-kim", done.json().get("actor").asText());
            assertEquals("credit", done.json().get("direction").asText());
            assertEquals(50, done.json().get("balance").longValue());
            String batch = """
                    {"operations": [{"type": "ADJUSTMENT", "user_id": "h-adj", "asset_code": "GOLD_COINS",
                     "direction": "debit", "amount": 5, "reference_id": "h-a-2", "reason": "typo"}]}""";
            TestServer.Reply refused = post(keyed, "/api/v1/batch", batch, writer.key());
            assertEquals(403, refused.status(), refused.text());
            assertEquals(
                    "admin", refused.json().at("/error/details/required_scope").asText());
            assertEquals(200, post(keyed, "/api/v1/batch", batch, admin.key()).status());
            TestServer.Reply noReason = post(
                    keyed,
                    "/api/v1/adjustments",
                    adjust.replace(", \"reason\": \"compensation for the outage\"", ""),
                    admin.key());
            assertEquals(400, noReason.status());
            assertEquals("reason", noReason.json().at("/error/details/field").asText());
        }
        assertTrue(server.get("/api/v1/openapi.json").text().contains("/api/v1/adjustments"));
    }

    private static TestServer.Reply post(TestServer target, String path, String json, String key) {
        return target.send(
                HttpRequest.newBuilder(target.uri(path))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One rule for every enumerated field: spelled exactly as openapi.json lists it. Any other spelling is a 400
     * naming the field, and nothing is written.
     */
    @Test
    void enumeratedValuesAreSpelledExactlyAsDocumented() {
        String top = topUp("h-enum", 100, "h-enum-fund");
        String[][] cases = {
            {
                "/api/v1/transactions/" + top + "/chargeback",
                "{\"reference_id\":\"h-e1\",\"policy\":\"write-off\"}",
                "policy"
            },
            {"/api/v1/transactions/" + top + "/chargeback", "{\"reference_id\":\"h-e2\",\"policy\":\"DEBT\"}", "policy"
            },
            {"/api/v1/adjustments", """
                    {"user_id":"h-enum","asset_code":"GOLD_COINS","direction":"CREDIT","amount":1,
                     "reference_id":"h-e3","reason":"x"}""", "direction"},
            {"/api/v1/batch", "{\"mode\":\"ATOMIC\",\"operations\":[]}", "mode"},
            {"/api/v1/batch", """
                    {"mode":"atomic","operations":[{"type":"topup","user_id":"h-enum","asset_code":"GOLD_COINS",
                     "amount":1,"reference_id":"h-e4"}]}""", "operations[0].type"},
        };
        for (String[] c : cases) {
            TestServer.Reply reply = server.post(c[0], c[1]);
            assertEquals(400, reply.status(), c[1] + " -> " + reply.text());
            assertEquals("VALIDATION_FAILED", reply.json().at("/error/code").asText(), reply.text());
            assertEquals(c[2], reply.json().at("/error/details/field").asText(), reply.text());
        }
        for (String reference : List.of("h-e1", "h-e2", "h-e3", "h-e4")) {
            assertEquals(
                    404,
                    server.get("/api/v1/transactions?reference_id=" + reference).status(),
                    reference);
        }
        assertEquals(
                201,
                server.post("/api/v1/transactions/" + top + "/chargeback", """
                {"reference_id":"h-e5","policy":"write_off"}""").status());
    }
}
