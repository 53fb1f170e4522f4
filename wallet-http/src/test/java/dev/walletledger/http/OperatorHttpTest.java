package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operators' routes: user search, verify runs in the background with their progress, anchors. Every
 * answer is checked against openapi.json by {@link TestServer}.
 */
class OperatorHttpTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void topUp(String user, String reference) {
        TestServer.Reply reply = server.post("/api/v1/wallets/topup", """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": 5, "reference_id": "%s"}""".formatted(user, reference));
        assertEquals(201, reply.status(), reply.text());
    }

    @Test
    void usersAreFoundByPrefixAPageAtATime() {
        for (String user : List.of("op-ann", "op-anna", "op-annb", "op-bob")) {
            topUp(user, "oh-" + user);
        }
        List<String> found = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            TestServer.Reply reply =
                    server.get("/api/v1/wallets?prefix=op-ann&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, reply.status(), reply.text());
            reply.json().get("users").forEach(u -> found.add(u.asText()));
            JsonNode next = reply.json().get("next_cursor");
            if (next.isNull()) {
                break;
            }
            cursor = next.asText();
        }
        assertEquals(List.of("op-ann", "op-anna", "op-annb"), found);
        assertEquals(
                0,
                server.get("/api/v1/wallets?prefix=%3Cscript%3E")
                        .json()
                        .get("users")
                        .size());
    }

    @Test
    void badSearchParametersAreRefusedNamingThem() {
        for (String query : List.of("limit=0", "limit=101", "limit=x", "prefix=", "cursor=", "color=red")) {
            TestServer.Reply reply = server.get("/api/v1/wallets?" + query);
            assertEquals(400, reply.status(), query + ": " + reply.text());
        }
    }

    @Test
    void aVerifyRunReportsProgressThenItsReportAndAnAnchorMatches() throws Exception {
        topUp("op-verify", "oh-verify");
        TestServer.Reply none = server.get("/api/v1/anchor");
        assertEquals(200, none.status(), none.text());

        TestServer.Reply taken = server.send(HttpRequest.newBuilder(server.uri("/api/v1/anchor"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(200, taken.status(), taken.text());
        String line = taken.json().get("anchor").get("line").asText();
        assertTrue(line.startsWith("wl1."), line);
        assertEquals(
                line,
                server.get("/api/v1/anchor").json().get("anchor").get("line").asText());

        TestServer.Reply started = server.post("/api/v1/verify", "{\"anchor\": \"" + line + "\"}");
        assertEquals(202, started.status(), started.text());
        String id = started.json().get("run_id").asText();
        assertEquals("/api/v1/verify/" + id, started.header("Location"));

        JsonNode run = started.json();
        for (int i = 0; i < 600 && run.get("state").asText().equals("running"); i++) { // at most 60 s
            Thread.sleep(100);
            run = server.get("/api/v1/verify/" + id).json();
        }
        assertEquals("passed", run.get("state").asText(), run.toString());
        assertEquals(run.get("total").longValue(), run.get("done").longValue());
        assertTrue(run.get("report").get("consistent").booleanValue());
        assertTrue(run.get("report").get("anchor_matches").booleanValue());
        assertTrue(run.get("report").get("wallets").longValue() > 0);
        assertFalse(run.get("ended_at").isNull());
    }

    @Test
    void badVerifyRequestsAndUnknownRunsAreRefused() {
        assertEquals(
                400, server.post("/api/v1/verify", "{\"anchor\": \"wl1.x\"}").status());
        assertEquals(400, server.post("/api/v1/verify", "{\"anchor\": 7}").status());
        assertEquals(400, server.post("/api/v1/verify", "{\"color\": \"red\"}").status());
        assertEquals(400, server.post("/api/v1/verify", "[]").status());
        TestServer.Reply unknown = server.get("/api/v1/verify/0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        assertEquals(404, unknown.status());
        assertEquals("VERIFY_RUN_NOT_FOUND", unknown.errorCode());
        assertEquals(
                "VERIFY_RUN_NOT_FOUND", server.get("/api/v1/verify/%3Cb%3E").errorCode());
    }
}
