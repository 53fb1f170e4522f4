package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.testing.TestDatabase;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A balance at a moment and the finance reports over HTTP: figures, scopes, every bad parameter a 400 naming it, an
 * inconsistent ledger a 500 REPORT_INCONSISTENT; every answer is checked against openapi.json.
 */
class ReportsHttpTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String q(Instant moment) {
        return URLEncoder.encode(moment.toString(), StandardCharsets.UTF_8);
    }

    private static Instant post(String path, String json) {
        TestServer.Reply reply = server.post(path, json);
        assertEquals(201, reply.status(), reply.text());
        return Instant.parse(reply.json().get("created_at").asText());
    }

    @Test
    void aBalanceAtAMomentAndBothReports() {
        Instant from = post("/api/v1/wallets/topup", """
                {"user_id": "rh-ann", "asset_code": "DIAMONDS", "amount": 500, "reference_id": "rh-1"}""");
        post("/api/v1/wallets/bonus", """
                {"user_id": "rh-ann", "asset_code": "DIAMONDS", "amount": 100, "reference_id": "rh-2",
                 "expires_at": "%s"}""".formatted(
                        Instant.now().plus(Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        Instant to = post("/api/v1/wallets/spend", """
                {"user_id": "rh-ann", "asset_code": "DIAMONDS", "amount": 30, "reference_id": "rh-3"}""");

        TestServer.Reply then = server.get("/api/v1/wallets/rh-ann/balance?asset_code=DIAMONDS&at=" + q(from));
        assertEquals(200, then.status(), then.text());
        assertEquals(500, then.json().get("balance").longValue());
        assertEquals(500, then.json().get("paid").longValue());
        assertEquals(
                from.toString(), Instant.parse(then.json().get("at").asText()).toString());
        JsonNode now = server.get("/api/v1/wallets/rh-ann/balance?asset_code=DIAMONDS&at=" + q(to))
                .json();
        assertEquals(570, now.get("balance").longValue());
        assertEquals(70, now.get("free").longValue());
        JsonNode plain =
                server.get("/api/v1/wallets/rh-ann/balance?asset_code=DIAMONDS").json();
        assertTrue(!plain.has("at"), "without at, the answer is unchanged");

        TestServer.Reply outstanding = server.get("/api/v1/reports/outstanding?asset_code=DIAMONDS&at=" + q(to));
        assertEquals(200, outstanding.status(), outstanding.text());
        JsonNode line = outstanding.json().get("assets").get(0);
        assertEquals("DIAMONDS", line.get("asset_code").asText());
        assertEquals(500, line.get("paid").longValue());
        assertEquals(70, line.get("free").longValue());
        assertEquals(0, line.get("held").longValue());
        assertEquals(70, line.get("expiring_within_30_days").longValue());
        assertEquals(1, line.get("wallets").longValue());
        assertEquals(
                3,
                server.get("/api/v1/reports/outstanding?at=" + q(to))
                        .json()
                        .get("assets")
                        .size());

        TestServer.Reply activity =
                server.get("/api/v1/reports/activity?asset_code=DIAMONDS&from=" + q(from) + "&to=" + q(to));
        assertEquals(200, activity.status(), activity.text());
        JsonNode moved = activity.json().get("assets").get(0);
        assertEquals(0, moved.get("paid_credited").longValue());
        assertEquals(100, moved.get("free_granted").longValue());
        assertEquals(30, moved.get("free_spent").longValue());
        assertEquals(500, moved.at("/paid/opening").longValue());
        assertEquals(500, moved.at("/paid/closing").longValue());
        assertEquals(100, moved.at("/free/credits/bonus").longValue());
        assertEquals(30, moved.at("/free/debits/spend").longValue());
        assertEquals(70, moved.at("/free/closing").longValue());
    }

    @Test
    void badOrMissingParametersAre400sNamingTheField() {
        post("/api/v1/wallets/topup", """
                {"user_id": "rh-bob", "asset_code": "GOLD_COINS", "amount": 5, "reference_id": "rh-b1"}""");
        String future = q(Instant.now().plusSeconds(3600));
        String past = q(Instant.now().minusSeconds(3600));
        Map<String, String> cases = Map.of(
                "/api/v1/wallets/rh-bob/balance?asset_code=GOLD_COINS&at=yesterday",
                "at",
                "/api/v1/wallets/rh-bob/balance?asset_code=GOLD_COINS&at=" + future,
                "at",
                "/api/v1/wallets/rh-bob/balance?at=" + past,
                "asset_code",
                "/api/v1/reports/outstanding",
                "at",
                "/api/v1/reports/outstanding?at=2026-13-01T00:00:00Z",
                "at",
                "/api/v1/reports/outstanding?at=" + future,
                "at",
                "/api/v1/reports/activity?to=" + past,
                "from",
                "/api/v1/reports/activity?from=" + past,
                "to",
                "/api/v1/reports/activity?from=" + future + "&to=" + past,
                "from",
                "/api/v1/reports/activity?from=" + past + "&to=" + future,
                "to");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            TestServer.Reply reply = server.get(c.getKey());
            assertEquals(400, reply.status(), c.getKey() + ": " + reply.text());
            assertEquals("VALIDATION_FAILED", reply.errorCode(), c.getKey());
            assertEquals(c.getValue(), reply.json().at("/error/details/field").asText(), c.getKey());
        }
        assertEquals(
                "ASSET_NOT_FOUND",
                server.get("/api/v1/reports/outstanding?asset_code=NOPE&at=" + past)
                        .errorCode());
        assertEquals(
                "WALLET_NOT_FOUND",
                server.get("/api/v1/wallets/rh-nobody/balance?asset_code=GOLD_COINS&at=" + past)
                        .errorCode());
    }

    @Test
    void reportsNeedTheAdminScope() {
        ApiKeys.Generated reader = ApiKeys.generate("reader", EnumSet.of(Scope.READ), new SecureRandom());
        ApiKeys.Generated admin = ApiKeys.generate("admin", EnumSet.of(Scope.ADMIN), new SecureRandom());
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", reader.line() + "\n" + admin.line() + "\n")));
        try (TestServer keyed = new TestServer(TestServer.config().withApiKeys(keys))) {
            String path = "/api/v1/reports/outstanding?at=" + q(Instant.now().minusSeconds(1));
            TestServer.Reply forbidden = keyed.send(HttpRequest.newBuilder(keyed.uri(path))
                    .header("Authorization", "Bearer " + reader.key())
                    .GET()
                    .build());
            assertEquals(403, forbidden.status(), forbidden.text());
            TestServer.Reply allowed = keyed.send(HttpRequest.newBuilder(keyed.uri(path))
                    .header("Authorization", "Bearer " + admin.key())
                    .GET()
                    .build());
            assertEquals(200, allowed.status(), allowed.text());
        }
    }

    @Test
    void anInconsistentLedgerIsA500ReportInconsistent() throws Exception {
        try (TestServer own = new TestServer()) {
            TestServer.Reply first = own.post("/api/v1/wallets/topup", """
                    {"user_id": "rh-cid", "asset_code": "GOLD_COINS", "amount": 40, "reference_id": "rh-c1"}""");
            Instant from = Instant.parse(first.json().get("created_at").asText());
            TestDatabase.tamper(own.ledger.schema(), """
                    UPDATE {s}.ledger_entries SET balance_after = balance_after + 1
                     WHERE wallet_id = (SELECT id FROM {s}.wallets WHERE kind = 'USER' AND owner_id = 'rh-cid')
                    """);
            TestServer.Reply refused = own.get("/api/v1/reports/activity?asset_code=GOLD_COINS&from="
                    + q(from.minusSeconds(1)) + "&to=" + q(from));
            assertEquals(500, refused.status(), refused.text());
            assertEquals("REPORT_INCONSISTENT", refused.errorCode());
            assertEquals("PAID", refused.json().at("/error/details/lot_class").asText());
        }
    }
}
