package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API key that authenticated a write is recorded, by id, as the transaction's actor (and chained). */
class ActorTest {
    @Test
    void theKeyIdIsRecordedWithEachWriteAndBatch() {
        ApiKeys.Generated writer = ApiKeys.generate("shop-backend", EnumSet.of(Scope.WRITE), new SecureRandom());
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", writer.line() + "\n")));
        try (TestServer server = new TestServer(TestServer.config().withApiKeys(keys))) {
            TestServer.Reply reply = server.send(HttpRequest.newBuilder(server.uri("/api/v1/wallets/topup"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + writer.key())
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"user_id":"u1","asset_code":"GOLD_COINS","amount":10,"reference_id":"actor-1"}"""))
                    .build());
            assertEquals(201, reply.status(), () -> new String(reply.body()));
            assertEquals(
                    "shop-backend",
                    server.ledger
                            .ledger()
                            .transactionByReference("actor-1")
                            .orElseThrow()
                            .actor());
        }
        try (TestServer open = new TestServer()) { // loopback without keys: nobody to name
            assertEquals(
                    201,
                    open.post(
                                    "/api/v1/wallets/topup",
                                    "{\"user_id\":\"u1\",\"asset_code\":\"GOLD_COINS\",\"amount\":10,\"reference_id\":\"actor-2\"}")
                            .status());
            assertNull(open.ledger
                    .ledger()
                    .transactionByReference("actor-2")
                    .orElseThrow()
                    .actor());
        }
    }
}
