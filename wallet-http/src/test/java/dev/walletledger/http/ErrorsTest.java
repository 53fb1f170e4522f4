package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.ErrorCode;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error code the server sends, with its status and envelope. */
class ErrorsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
        assertEquals(
                201,
                server.post(
                                "/api/v1/wallets/topup",
                                "{\"user_id\":\"err_user\",\"asset_code\":\"GOLD_COINS\",\"amount\":100,\"reference_id\":\"err_fund\"}")
                        .status());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertError(TestServer.Reply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.text());
        JsonNode error = reply.json().get("error");
        assertEquals(code, error.get("code").asText(), reply.text());
        assertTrue(error.get("message").isTextual());
        assertTrue(error.get("details").isObject());
        assertEquals("application/json", reply.header("Content-Type"));
        assertFalse(reply.text().contains("Exception"), reply.text());
        assertFalse(reply.text().toLowerCase().contains("select "), reply.text());
    }

    @Test
    void validationFailedNamesTheField() {
        TestServer.Reply r = server.post(
                "/api/v1/wallets/topup",
                "{\"user_id\":\"\",\"asset_code\":\"GOLD_COINS\",\"amount\":1,\"reference_id\":\"v1\"}");
        assertError(r, 400, "VALIDATION_FAILED");
        assertEquals(
                "user_id", r.json().get("error").get("details").get("field").asText());
        TestServer.Reply amount = server.post(
                "/api/v1/wallets/topup",
                "{\"user_id\":\"u\",\"asset_code\":\"GOLD_COINS\",\"amount\":1.5,\"reference_id\":\"v2\"}");
        assertError(amount, 400, "VALIDATION_FAILED");
        assertEquals(
                "amount", amount.json().get("error").get("details").get("field").asText());
        TestServer.Reply nested = server.post(
                "/api/v1/batch",
                "{\"operations\":[{\"type\":\"TOPUP\",\"user_id\":\"u\",\"asset_code\":\"GOLD_COINS\",\"amount\":\"5\",\"reference_id\":\"v3\"}]}");
        assertError(nested, 400, "VALIDATION_FAILED");
        assertEquals(
                "operations[0].amount",
                nested.json().get("error").get("details").get("field").asText());
    }

    @Test
    void malformedJson() {
        assertError(server.post("/api/v1/wallets/topup", "{\"user_id\":"), 400, "MALFORMED_JSON");
    }

    @Test
    void notFoundCodes() {
        assertError(
                server.get("/api/v1/wallets/nobody/balance?asset_code=GOLD_COINS"),
                404,
                ErrorCode.WALLET_NOT_FOUND.name());
        assertError(
                server.get("/api/v1/wallets/err_user/balance?asset_code=NO_SUCH_COIN"),
                404,
                ErrorCode.ASSET_NOT_FOUND.name());
        assertError(
                server.post(
                        "/api/v1/wallets/topup",
                        "{\"user_id\":\"u\",\"asset_code\":\"NO_SUCH_COIN\",\"amount\":1,\"reference_id\":\"nf1\"}"),
                404,
                ErrorCode.ASSET_NOT_FOUND.name());
        assertError(server.get("/api/v1/nope"), 404, "NOT_FOUND");
        assertError(
                server.get("/api/v1/transactions/00000000-0000-7000-8000-000000000000"), 404, "TRANSACTION_NOT_FOUND");
        assertError(server.get("/api/v1/transactions?reference_id=never_used"), 404, "TRANSACTION_NOT_FOUND");
    }

    @Test
    void methodNotAllowedListsAllow() {
        TestServer.Reply r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/wallets/topup"))
                .GET()
                .build());
        assertError(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("POST", r.header("Allow"));
        TestServer.Reply delete = server.send(
                HttpRequest.newBuilder(server.uri("/api/v1/health")).DELETE().build());
        assertError(delete, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET, HEAD", delete.header("Allow"));
    }

    @Test
    void idempotencyConflictNamesTheDifferingFields() {
        String body =
                "{\"user_id\":\"err_user\",\"asset_code\":\"GOLD_COINS\",\"amount\":%d,\"reference_id\":\"conflict_1\"}";
        assertEquals(
                201, server.post("/api/v1/wallets/topup", body.formatted(5)).status());
        TestServer.Reply r = server.post("/api/v1/wallets/topup", body.formatted(6));
        assertError(r, 409, ErrorCode.IDEMPOTENCY_CONFLICT.name());
        assertTrue(r.json().get("error").get("details").toString().contains("amount"), r.text());
        TestServer.Reply otherType = server.post("/api/v1/wallets/bonus", body.formatted(5));
        assertError(otherType, 409, ErrorCode.IDEMPOTENCY_CONFLICT.name());
    }

    @Test
    void payloadTooLarge() {
        String big =
                "{\"user_id\":\"u\",\"asset_code\":\"GOLD_COINS\",\"amount\":1,\"reference_id\":\"big\",\"metadata\":{\"x\":\""
                        + "a".repeat(70_000) + "\"}}";
        assertError(server.post("/api/v1/wallets/topup", big), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void unsupportedMediaType() {
        TestServer.Reply r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/wallets/topup"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
        assertError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void insufficientFundsChangesNothing() {
        TestServer.Reply r = server.post(
                "/api/v1/wallets/spend",
                "{\"user_id\":\"err_user\",\"asset_code\":\"GOLD_COINS\",\"amount\":1000000,\"reference_id\":\"too_much\"}");
        assertError(r, 422, ErrorCode.INSUFFICIENT_FUNDS.name());
        assertTrue(server.balance("err_user", "GOLD_COINS") >= 100);
    }

    @Test
    void balanceOverflow() {
        // 10^15 per top-up (the largest amount); Long.MAX_VALUE is about 9,223 of them: atomic batches of 500.
        TestServer.Reply r = null;
        for (int batch = 0; batch < 30 && (r == null || r.status() == 200); batch++) {
            StringBuilder ops = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                ops.append(i == 0 ? "" : ",")
                        .append("{\"type\":\"TOPUP\",\"user_id\":\"rich\",\"asset_code\":"
                                + "\"GOLD_COINS\",\"amount\":1000000000000000,\"reference_id\":\"rich_")
                        .append(batch)
                        .append('_')
                        .append(i)
                        .append("\"}");
            }
            r = server.post("/api/v1/batch", "{\"mode\":\"atomic\",\"operations\":[" + ops + "]}");
        }
        assertError(r, 422, ErrorCode.BALANCE_OVERFLOW.name());
        assertTrue(server.balance("rich", "GOLD_COINS") >= 9_000_000_000_000_000_000L);
    }

    @Test
    void internalAndUnavailableMapping() {
        // Not reachable from a healthy server without breaking it; the mapping is checked directly.
        assertEquals(503, ErrorMapping.status(ErrorCode.BUSY.kind()));
        assertEquals(503, ErrorMapping.status(ErrorCode.STORAGE_UNAVAILABLE.kind()));
        assertEquals(500, ErrorMapping.status(ErrorCode.INTERNAL_ERROR.kind()));
        var busy = ErrorMapping.response(dev.walletledger.core.WalletException.of(ErrorCode.BUSY, "busy", Map.of()));
        assertEquals("1", busy.headers().get("Retry-After"));
        var internal = ErrorMapping.response(new IllegalStateException("SELECT secret FROM table"));
        assertEquals(500, internal.status());
        assertFalse(new String(internal.body()).contains("secret"));
    }
}
