package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Player tokens against a real server over PostgreSQL: a player reads its own wallet and nothing else, every
 * malformed, forged or out-of-date token is 401 with the standard error body, and the support scope opens what
 * the operator console needs and no more.
 */
class PlayerTokensHttpTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ApiKeys.Generated OPS =
            ApiKeys.generate("ops", EnumSet.of(Scope.READ, Scope.WRITE, Scope.ADMIN), RANDOM);
    private static final ApiKeys.Generated CONSOLE = ApiKeys.generate("console", EnumSet.of(Scope.SUPPORT), RANDOM);
    /** Write and support without admin: a batch holding an adjustment is still refused. */
    private static final ApiKeys.Generated WRITE_SUPPORT =
            ApiKeys.generate("write-support", EnumSet.of(Scope.WRITE, Scope.SUPPORT), RANDOM);

    private static final OctetKeyPair ED = TestTokens.ed25519("ed-1");
    private static final ECKey EC = TestTokens.p256("ec-1");
    /** Not in the server's file, but with ed-1's kid: a valid signature by the wrong key. */
    private static final OctetKeyPair IMPOSTOR = TestTokens.ed25519("ed-1");

    @TempDir
    static Path directory;

    private static TestServer server;
    private static ListAppender<ILoggingEvent> log;
    private static String aliceTopUp;
    private static String bobTopUp;
    private static String aliceHold;
    private static String bobHold;

    @BeforeAll
    static void start() throws Exception {
        Path apiKeys = Files.writeString(
                directory.resolve("keys"), OPS.line() + "\n" + CONSOLE.line() + "\n" + WRITE_SUPPORT.line() + "\n");
        Path tokenKeys = Files.writeString(directory.resolve("jwks.json"), TestTokens.publicSet(ED, EC));
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
        server = new TestServer(ServerConfig.fromEnvironment(Map.of(
                "PORT",
                "0",
                "WALLET_ALLOW_NON_DURABLE",
                "true",
                "WALLET_API_KEYS_FILE",
                apiKeys.toString(),
                "WALLET_TOKEN_KEYS_FILE",
                tokenKeys.toString())));
        aliceTopUp = topUp("alice", 500, "pt-alice-1");
        bobTopUp = topUp("bob", 700, "pt-bob-1");
        aliceHold = hold("alice", 50, "pt-alice-hold");
        bobHold = hold("bob", 70, "pt-bob-hold");
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
        if (server != null) {
            server.close();
        }
    }

    private static String topUp(String user, long amount, String reference) {
        TestServer.Reply reply =
                send("POST", "/api/v1/wallets/topup", OPS.key(), """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s"}""".formatted(user, amount, reference));
        assertEquals(201, reply.status(), reply.text());
        return reply.json().get("transaction_id").asText();
    }

    private static String hold(String user, long amount, String reference) {
        TestServer.Reply reply = send("POST", "/api/v1/holds", OPS.key(), """
                {"user_id": "%s", "asset_code": "GOLD_COINS", "amount": %d, "reference_id": "%s",
                 "expires_in_seconds": 600}""".formatted(user, amount, reference));
        assertEquals(201, reply.status(), reply.text());
        return reply.json().get("hold_id").asText();
    }

    static TestServer.Reply send(String method, String path, String bearer, String json) {
        return send(server, method, path, bearer, json);
    }

    static TestServer.Reply send(TestServer on, String method, String path, String bearer, String json) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(on.uri(path));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            return on.send(builder.build(), json.getBytes(StandardCharsets.UTF_8));
        }
        return on.send(
                builder.method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    private static String token(String user) {
        return TestTokens.sign(ED, TestTokens.claims(user, Instant.now()).build());
    }

    @Test
    void aPlayerReadsItsOwnWallet() {
        for (String token : List.of(
                token("alice"),
                TestTokens.sign(EC, TestTokens.claims("alice", Instant.now()).build()))) {
            TestServer.Reply balance = send("GET", "/api/v1/wallets/alice/balance?asset_code=GOLD_COINS", token, null);
            assertEquals(200, balance.status(), balance.text());
            assertEquals(450, balance.json().get("balance").asLong()); // 500 less the 50 held
            TestServer.Reply lots = send("GET", "/api/v1/wallets/alice/lots?asset_code=GOLD_COINS", token, null);
            assertEquals(200, lots.status(), lots.text());
            assertFalse(lots.json().get("lots").isEmpty());
            TestServer.Reply history = send("GET", "/api/v1/wallets/alice/transactions", token, null);
            assertEquals(200, history.status(), history.text());
            assertTrue(
                    history.json().get("items").findValuesAsText("reference_id").contains("pt-alice-1"));
            assertFalse(history.text().contains("pt-bob-1"), history.text());
            TestServer.Reply holds = send("GET", "/api/v1/wallets/alice/holds", token, null);
            assertEquals(200, holds.status(), holds.text());
            assertEquals(aliceHold, holds.json().at("/holds/0/hold_id").asText());
            TestServer.Reply transaction = send("GET", "/api/v1/transactions/" + aliceTopUp, token, null);
            assertEquals(200, transaction.status(), transaction.text());
            assertEquals("alice", transaction.json().get("user_id").asText());
            TestServer.Reply hold = send("GET", "/api/v1/holds/" + aliceHold, token, null);
            assertEquals(200, hold.status(), hold.text());
            assertEquals(50, hold.json().get("amount").asLong());
        }
    }

    @Test
    void anotherPlayersWalletIsForbiddenAndTheirRecordsAreAnsweredAsMissing() {
        String alice = token("alice");
        for (String path : List.of(
                "/api/v1/wallets/bob/balance?asset_code=GOLD_COINS",
                "/api/v1/wallets/bob/balance",
                "/api/v1/wallets/bob/lots?asset_code=GOLD_COINS",
                "/api/v1/wallets/bob/transactions",
                "/api/v1/wallets/bob/holds",
                "/api/v1/wallets/Alice/balance")) { // user ids are compared exactly (after NFC)
            assertForbidden(send("GET", path, alice, null), path);
        }
        // Bob's transaction and hold by id: the same answer as an id that exists nowhere.
        TestServer.Reply bobs = send("GET", "/api/v1/transactions/" + bobTopUp, alice, null);
        String nowhere = UUID.randomUUID().toString();
        TestServer.Reply missing = send("GET", "/api/v1/transactions/" + nowhere, alice, null);
        assertEquals(404, bobs.status(), bobs.text());
        assertEquals(missing.status(), bobs.status());
        assertEquals("TRANSACTION_NOT_FOUND", bobs.errorCode());
        assertEquals(missing.text().replace(nowhere, bobTopUp), bobs.text(), "nothing tells the two apart");
        TestServer.Reply bobsHold = send("GET", "/api/v1/holds/" + bobHold, alice, null);
        TestServer.Reply noHold = send("GET", "/api/v1/holds/" + nowhere, alice, null);
        assertEquals(404, bobsHold.status(), bobsHold.text());
        assertEquals("HOLD_NOT_FOUND", bobsHold.errorCode());
        assertEquals(noHold.text().replace(nowhere, bobHold), bobsHold.text());
        // The transfer between them is readable by both: it posts to each one's wallet.
        TestServer.Reply transfer = send("POST", "/api/v1/wallets/transfer", OPS.key(), """
                {"from_user_id": "bob", "to_user_id": "alice", "asset_code": "GOLD_COINS", "amount": 5,
                 "reference_id": "pt-transfer-1"}""");
        assertEquals(201, transfer.status(), transfer.text());
        String transferId = transfer.json().get("transaction_id").asText();
        assertEquals(
                200,
                send("GET", "/api/v1/transactions/" + transferId, alice, null).status());
        assertEquals(
                200,
                send("GET", "/api/v1/transactions/" + transferId, token("bob"), null)
                        .status());
        assertEquals(
                404,
                send("GET", "/api/v1/transactions/" + transferId, token("carol"), null)
                        .status());
    }

    @Test
    void aTokenNeverWritesNorOpensAnyOtherRoute() {
        String alice = token("alice");
        String topUp = """
                {"user_id": "alice", "asset_code": "GOLD_COINS", "amount": 5, "reference_id": "pt-write-1"}""";
        assertForbidden(send("POST", "/api/v1/wallets/topup", alice, topUp), "topup");
        assertForbidden(send("POST", "/api/v1/wallets/spend", alice, topUp), "spend");
        assertForbidden(
                send(
                        "POST",
                        "/api/v1/transactions/" + aliceTopUp + "/reversal",
                        alice,
                        "{\"reference_id\": \"pt-write-2\"}"),
                "reversal");
        assertForbidden(
                send("POST", "/api/v1/holds/" + aliceHold + "/void", alice, "{\"reference_id\": \"pt-v\"}"), "void");
        assertForbidden(send("POST", "/api/v1/batch", alice, "{\"mode\": \"atomic\", \"operations\": []}"), "batch");
        for (String path : List.of(
                "/metrics",
                "/api/v1/events",
                "/api/v1/webhooks",
                "/api/v1/assets",
                "/api/v1/openapi.json",
                "/api/v1/transactions?reference_id=pt-alice-1",
                "/api/v1/wallets/alice/controls?asset_code=GOLD_COINS",
                "/api/v1/reports/outstanding?at=2020-01-01T00:00:00Z")) {
            assertForbidden(send("GET", path, alice, null), path);
        }
        // Nothing was written under the refused request's reference.
        assertEquals(
                404,
                send("GET", "/api/v1/transactions?reference_id=pt-write-1", OPS.key(), null)
                        .status());
    }

    /**
     * Every route of the route table (read from the table, so a new route cannot be forgotten) with alice's token:
     * open routes and her own reads answer (neither 401 nor 403), every other route is 403.
     */
    @Test
    void everyRouteWithAPlayersToken() {
        String alice = token("alice");
        List<String> failures = new ArrayList<>();
        List<String> opened = new ArrayList<>();
        for (Route route : AuthMatrixTest.routes()) {
            String path = route.template()
                    .replace("{user_id}", "alice")
                    .replace("{transaction_id}", aliceTopUp)
                    .replace("{hold_id}", aliceHold)
                    .replaceAll("\\{[a-z_]+\\}", UUID.randomUUID().toString()); // any other id: one that exists nowhere
            if (route.template().endsWith("/lots")
                    || route.template().endsWith("/controls")
                    || route.template().endsWith("/history")) {
                path += "?asset_code=GOLD_COINS";
            }
            TestServer.Reply reply = send(route.method(), path, alice, route.readsBody() ? "{}" : null);
            boolean opens = route.open() || route.players();
            if (opens) {
                opened.add(route.name());
                if (reply.status() == 401 || reply.status() == 403 || reply.status() >= 500) {
                    failures.add(route.name() + ": expected an answer, got " + reply.status() + " " + reply.text());
                }
            } else if (reply.status() != 403 || !reply.errorCode().equals("FORBIDDEN")) {
                failures.add(route.name() + ": expected 403, got " + reply.status() + " " + reply.text());
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(
                List.of(
                        "GET /api/v1/health",
                        "GET /api/v1/holds/{hold_id}",
                        "GET /api/v1/wallets/{user_id}/holds",
                        "GET /api/v1/wallets/{user_id}/balance",
                        "GET /api/v1/wallets/{user_id}/lots",
                        "GET /api/v1/wallets/{user_id}/transactions",
                        "GET /api/v1/transactions/{transaction_id}"),
                opened,
                "what a player's token opens");
    }

    @Test
    void badTokensAre401WithTheStandardBody() throws Exception {
        Instant now = Instant.now();
        String good = token("alice");
        String[] parts = good.split("\\.");
        byte[] signature = Base64URL.from(parts[2]).decode();
        signature[7] ^= 1;
        JWTClaimsSet valid = TestTokens.claims("alice", now).build();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("forged signature", parts[0] + "." + parts[1] + "." + Base64URL.encode(signature));
        cases.put(
                "forged claims",
                parts[0] + "."
                        + Base64URL.encode(TestTokens.claims("bob", now).build().toString()) + "." + parts[2]);
        cases.put(
                "expired beyond the skew",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now.minusSeconds(900))
                                .expirationTime(Date.from(now.minusSeconds(31)))
                                .build()));
        cases.put(
                "not valid yet",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now)
                                .notBeforeTime(Date.from(now.plusSeconds(120)))
                                .build()));
        cases.put(
                "issued in the future",
                TestTokens.sign(
                        ED, TestTokens.claims("alice", now.plusSeconds(120)).build()));
        cases.put(
                "wrong audience",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now)
                                .audience("another-service")
                                .build()));
        cases.put(
                "no audience",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now).audience((String) null).build()));
        cases.put(
                "no exp",
                TestTokens.sign(
                        ED, TestTokens.claims("alice", now).expirationTime(null).build()));
        cases.put(
                "no sub",
                TestTokens.sign(
                        ED, TestTokens.claims("alice", now).subject(null).build()));
        cases.put(
                "sub not a user id",
                TestTokens.sign(ED, TestTokens.claims(" alice", now).build()));
        cases.put(
                "lifetime too long",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now)
                                .expirationTime(Date.from(now.plusSeconds(24 * 3600 + 60)))
                                .build()));
        cases.put(
                "lifetime too long without iat",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now)
                                .issueTime(null)
                                .expirationTime(Date.from(now.plusSeconds(48 * 3600)))
                                .build()));
        cases.put(
                "alg none",
                Base64URL.encode("{\"alg\":\"none\",\"kid\":\"ed-1\"}") + "." + Base64URL.encode(valid.toString())
                        + ".");
        // Algorithm confusion: HMAC keyed with the public key's bytes, under the Ed25519 key's kid.
        SignedJWT confused = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("ed-1").build(), valid);
        byte[] publicBytes = ED.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        confused.sign(new MACSigner(java.util.Arrays.copyOf(publicBytes, Math.max(32, publicBytes.length))));
        cases.put("HS256 with the public key", confused.serialize());
        SignedJWT confusedX = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("ed-1").build(), valid);
        byte[] x = ED.getX().decode();
        confusedX.sign(new MACSigner(x));
        cases.put("HS256 with the raw public key", confusedX.serialize());
        cases.put(
                "ES256 header on the Ed25519 key",
                TestTokens.sign(
                        EC,
                        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ed-1").build(),
                        valid));
        cases.put("wrong key, known kid", TestTokens.sign(IMPOSTOR, valid));
        cases.put(
                "unknown kid",
                TestTokens.sign(ED, TestTokens.header(ED).keyID("ed-9").build(), valid));
        cases.put(
                "no kid", TestTokens.sign(ED, TestTokens.header(ED).keyID(null).build(), valid));
        cases.put(
                "crit header",
                TestTokens.sign(
                        ED,
                        TestTokens.header(ED)
                                .criticalParams(java.util.Set.of("exp"))
                                .build(),
                        valid));
        cases.put("garbage", "not-a-token");
        cases.put("three garbage parts", "a.b.c");
        cases.put(
                "over-long",
                TestTokens.sign(
                        ED,
                        TestTokens.claims("alice", now)
                                .claim("padding", "x".repeat(5000))
                                .build()));
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> c : cases.entrySet()) {
            TestServer.Reply reply =
                    send("GET", "/api/v1/wallets/alice/balance?asset_code=GOLD_COINS", c.getValue(), null);
            String problem = unauthenticated(reply);
            if (problem == null && !reply.json().at("/error/message").asText().contains(REASONS.get(c.getKey()))) {
                problem = "refused for another reason than \"" + REASONS.get(c.getKey()) + "\": " + reply.text();
            }
            if (problem != null) {
                failures.add(c.getKey() + ": " + problem);
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(
                200,
                send("GET", "/api/v1/wallets/alice/balance?asset_code=GOLD_COINS", good, null)
                        .status());
        // The access log names the signing key, never the token or its signature.
        for (ILoggingEvent event : List.copyOf(log.list)) {
            String text = event.getFormattedMessage() + " " + event.getKeyValuePairs();
            assertFalse(text.contains(parts[2]), text);
        }
        assertTrue(
                List.copyOf(log.list).stream()
                        .anyMatch(e -> String.valueOf(e.getKeyValuePairs()).contains("player:ed-1")),
                "a player's request is logged as key=player:<kid>");
    }

    /** What each refusal's message says: each check is shown to refuse on its own. */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("forged signature", "signature does not hold"),
            Map.entry("forged claims", "signature does not hold"),
            Map.entry("expired beyond the skew", "expired"),
            Map.entry("not valid yet", "(nbf)"),
            Map.entry("issued in the future", "(iat)"),
            Map.entry("wrong audience", "aud"),
            Map.entry("no audience", "aud"),
            Map.entry("no exp", "no exp"),
            Map.entry("no sub", "sub"),
            Map.entry("sub not a user id", "sub"),
            Map.entry("lifetime too long", "lives longer"),
            Map.entry("lifetime too long without iat", "exp - now"),
            Map.entry("alg none", "not a signed JWT"),
            Map.entry("HS256 with the public key", "alg must be EdDSA or ES256"),
            Map.entry("HS256 with the raw public key", "alg must be EdDSA or ES256"),
            Map.entry("ES256 header on the Ed25519 key", "not the one its key signs with"),
            Map.entry("wrong key, known kid", "signature does not hold"),
            Map.entry("unknown kid", "names no configured key"),
            Map.entry("no kid", "no kid"),
            Map.entry("crit header", "crit"),
            Map.entry("garbage", "not a signed JWT"),
            Map.entry("three garbage parts", "not a signed JWT"),
            Map.entry("over-long", "longer than 4096"));

    /** Null when the answer is a 401 UNAUTHENTICATED with the standard body and a Bearer challenge. */
    private static String unauthenticated(TestServer.Reply reply) {
        if (reply.status() != 401) {
            return "expected 401, got " + reply.status() + " " + reply.text();
        }
        JsonNode error = reply.json().path("error");
        if (!error.path("code").asText().equals("UNAUTHENTICATED")
                || error.path("message").asText().isEmpty()
                || !error.path("details").isObject()) {
            return "not the standard error body: " + reply.text();
        }
        String challenge = reply.header("WWW-Authenticate");
        if (challenge == null || !challenge.startsWith("Bearer realm=\"wallet-ledger\"")) {
            return "WWW-Authenticate is " + challenge;
        }
        return null;
    }

    private static void assertForbidden(TestServer.Reply reply, String what) {
        assertEquals(403, reply.status(), what + ": " + reply.text());
        assertEquals("FORBIDDEN", reply.errorCode(), what);
        assertTrue(reply.json().at("/error/details/required_scope").isTextual(), what + ": " + reply.text());
        assertTrue(
                reply.header("WWW-Authenticate")
                        .startsWith("Bearer realm=\"wallet-ledger\", error=\"insufficient_scope\""),
                what);
    }

    @Test
    void theSupportScopeReversesAndFreezesButDoesNotTopUpNorReadInternals() {
        String carolTopUp = topUp("carol", 300, "pt-carol-1");
        TestServer.Reply reversal = send(
                "POST",
                "/api/v1/transactions/" + carolTopUp + "/reversal",
                CONSOLE.key(),
                "{\"reference_id\": \"pt-support-reversal\", \"amount\": 100, \"reason\": \"refund by support\"}");
        assertEquals(201, reversal.status(), reversal.text());
        TestServer.Reply freeze = send(
                "PUT",
                "/api/v1/wallets/carol/controls?asset_code=GOLD_COINS",
                CONSOLE.key(),
                "{\"status\": \"FROZEN\", \"reason\": \"support: account review\"}");
        assertEquals(200, freeze.status(), freeze.text());
        assertEquals("FROZEN", freeze.json().get("status").asText());
        assertEquals("console", freeze.json().get("actor").asText());
        TestServer.Reply read = send("GET", "/api/v1/wallets/carol/balance?asset_code=GOLD_COINS", CONSOLE.key(), null);
        assertEquals(200, read.status(), read.text());
        assertEquals(200, read.json().get("balance").asLong());
        assertEquals(
                200,
                send("GET", "/api/v1/reports/outstanding?at=2020-01-01T00:00:00Z", CONSOLE.key(), null)
                        .status());
        assertEquals(
                200,
                send("GET", "/api/v1/wallets/carol/controls/history?asset_code=GOLD_COINS", CONSOLE.key(), null)
                        .status());
        TestServer.Reply topUp = send("POST", "/api/v1/wallets/topup", CONSOLE.key(), """
                {"user_id": "carol", "asset_code": "GOLD_COINS", "amount": 5, "reference_id": "pt-support-topup"}""");
        assertForbidden(topUp, "support top-up");
        assertEquals("write", topUp.json().at("/error/details/required_scope").asText());
        assertForbidden(send("GET", "/metrics", CONSOLE.key(), null), "support metrics");
        assertForbidden(send("GET", "/api/v1/events", CONSOLE.key(), null), "support events");
        assertForbidden(send("GET", "/api/v1/webhooks", CONSOLE.key(), null), "support webhooks");
        // An adjustment alone is support's; one in a batch still needs admin.
        String adjustment = """
                {"type": "ADJUSTMENT", "user_id": "carol", "asset_code": "GOLD_COINS", "direction": "credit",
                 "amount": 1, "reference_id": "pt-support-adj-%s", "reason": "goodwill"}""";
        TestServer.Reply alone = send(
                "POST",
                "/api/v1/adjustments",
                CONSOLE.key(),
                adjustment.formatted("1").replace("\"type\": \"ADJUSTMENT\", ", ""));
        assertEquals(201, alone.status(), alone.text());
        String batch = "{\"mode\": \"atomic\", \"operations\": [" + adjustment.formatted("2") + "]}";
        assertForbidden(send("POST", "/api/v1/batch", CONSOLE.key(), batch), "support batch");
        TestServer.Reply withWrite = send("POST", "/api/v1/batch", WRITE_SUPPORT.key(), batch);
        assertForbidden(withWrite, "write+support batch with an adjustment");
        assertEquals(
                "admin", withWrite.json().at("/error/details/required_scope").asText());
    }
}
