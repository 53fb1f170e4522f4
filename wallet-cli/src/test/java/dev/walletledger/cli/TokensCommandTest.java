package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.walletledger.http.ServerConfig;
import dev.walletledger.http.WalletServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wallet tokens keygen} and {@code mint} end to end: keys made by the CLI go into a real server's
 * WALLET_TOKEN_KEYS_FILE, and the tokens it mints read the player's wallet there, over HTTP.
 */
class TokensCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path directory;

    @Test
    void keysAndTokensFromTheCliWorkAgainstTheServer() throws Exception {
        try (CliRunner cli = new CliRunner()) {
            Path ed = directory.resolve("ed.jwk");
            Path ec = directory.resolve("ec.jwk");
            CliRunner.Result edSet = cli.run("tokens", "keygen", "--kid", "game-2026", "--private-out", ed.toString());
            CliRunner.Result ecSet =
                    cli.run("tokens", "keygen", "--kid", "game-ec", "--alg", "ES256", "--private-out", ec.toString());
            assertEquals(0, edSet.exitCode(), edSet.toString());
            assertEquals(0, ecSet.exitCode(), ecSet.toString());
            for (Path key : new Path[] {ed, ec}) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
                assertTrue(MAPPER.readTree(Files.readString(key)).has("d"), "the private key is in the file");
            }
            JsonNode published = MAPPER.readTree(edSet.out());
            assertFalse(published.at("/keys/0").has("d"), "only the public key is printed: " + edSet.out());
            assertEquals("game-2026", published.at("/keys/0/kid").asText());
            ((ArrayNode) published.get("keys")).add(MAPPER.readTree(ecSet.out()).at("/keys/0"));
            Path jwks = Files.writeString(directory.resolve("jwks.json"), published.toString());
            assertEquals(
                    64,
                    cli.run("tokens", "keygen", "--kid", "again", "--private-out", ed.toString())
                            .exitCode());

            assertEquals(
                    0,
                    cli.run("topup", "alice", "--asset", "GOLD_COINS", "--amount", "250", "--reference", "t-1")
                            .exitCode());
            WalletServer server = WalletServer.start(
                    ServerConfig.fromEnvironment(Map.of("PORT", "0", "WALLET_TOKEN_KEYS_FILE", jwks.toString())),
                    cli.ledger(),
                    cli.test.dataSource());
            try {
                for (Path key : new Path[] {ed, ec}) {
                    CliRunner.Result minted =
                            cli.run("tokens", "mint", "alice", "--key", key.toString(), "--ttl", "15m");
                    assertEquals(0, minted.exitCode(), minted.toString());
                    HttpResponse<String> balance = get(
                            server,
                            "/api/v1/wallets/alice/balance?asset_code=GOLD_COINS",
                            minted.out().strip());
                    assertEquals(200, balance.statusCode(), balance.body());
                    assertEquals(
                            250, MAPPER.readTree(balance.body()).get("balance").asLong());
                    assertEquals(
                            403,
                            get(
                                            server,
                                            "/api/v1/wallets/bob/balance",
                                            minted.out().strip())
                                    .statusCode());
                }
                CliRunner.Result elsewhere = cli.run(
                        "tokens", "mint", "alice", "--key", ed.toString(), "--ttl", "1h", "--audience", "other");
                assertEquals(
                        401,
                        get(
                                        server,
                                        "/api/v1/wallets/alice/balance",
                                        elsewhere.out().strip())
                                .statusCode());
                JsonNode json = MAPPER.readTree(
                        cli.run("tokens", "mint", "alice", "--key", ed.toString(), "--ttl", "30s", "--json")
                                .out());
                assertEquals("game-2026", json.get("kid").asText());
                assertEquals(
                        200,
                        get(
                                        server,
                                        "/api/v1/wallets/alice/lots?asset_code=GOLD_COINS",
                                        json.get("token").asText())
                                .statusCode());
            } finally {
                server.close();
            }

            // Usage errors: exit 64, one line on stderr.
            Path publicOnly = Files.writeString(
                    directory.resolve("public.jwk"), published.at("/keys/0").toString());
            String[][] wrong = {
                {"tokens", "mint", "alice", "--key", ed.toString(), "--ttl", "25h"},
                {"tokens", "mint", "alice", "--key", ed.toString(), "--ttl", "0s"},
                {"tokens", "mint", "alice", "--key", ed.toString(), "--ttl", "15"},
                {"tokens", "mint", "alice", "--key", ed.toString()},
                {"tokens", "mint", " alice", "--key", ed.toString(), "--ttl", "15m"},
                {"tokens", "mint", "alice", "--key", publicOnly.toString(), "--ttl", "15m"},
                {"tokens", "mint", "alice", "--key", directory.resolve("none").toString(), "--ttl", "15m"},
                {
                    "tokens",
                    "keygen",
                    "--kid",
                    "x",
                    "--alg",
                    "RS256",
                    "--private-out",
                    directory.resolve("r").toString()
                },
                {
                    "tokens",
                    "keygen",
                    "--kid",
                    "a b",
                    "--private-out",
                    directory.resolve("s").toString()
                },
            };
            for (String[] args : wrong) {
                CliRunner.Result result = cli.run(args);
                assertEquals(64, result.exitCode(), String.join(" ", args) + ": " + result);
                assertFalse(result.err().isBlank());
            }
            assertFalse(Files.exists(directory.resolve("r")), "nothing written for a refused keygen");
        }
    }

    private static HttpResponse<String> get(WalletServer server, String path, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
