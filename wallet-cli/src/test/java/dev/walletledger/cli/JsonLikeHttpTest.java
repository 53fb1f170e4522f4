package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.http.ServerConfig;
import dev.walletledger.http.WalletServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI's {@code --json} is what the HTTP API answers: for the same transactions, each command's document
 * equals the server's answer, field for field (the server runs over the same ledger). A write is compared with
 * the server's answer to the same request, which replays it.
 */
class JsonLikeHttpTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final CliRunner cli = new CliRunner();
    private final WalletServer server =
            WalletServer.start(ServerConfig.fromEnvironment(Map.of("PORT", "0")), cli.ledger(), cli.test.dataSource());

    @AfterEach
    void close() {
        server.close();
        cli.close();
    }

    @Test
    void everyDocumentIsTheHttpAnswer() throws Exception {
        JsonNode topUp = cliJson(
                "topup",
                "alice",
                "--asset",
                "GOLD_COINS",
                "--amount",
                "1000",
                "--reference",
                "j-top",
                "--payment-method",
                "stripe",
                "--metadata",
                "{\"order\":\"A-1\"}");
        assertEquals(topUp, post("/wallets/topup", """
                {"user_id":"alice","asset_code":"GOLD_COINS","amount":1000,"reference_id":"j-top",
                 "payment_method":"stripe","metadata":{"order":"A-1"}}"""));
        JsonNode spend = cliJson(
                "spend",
                "alice",
                "--asset",
                "GOLD_COINS",
                "--amount",
                "300",
                "--reference",
                "j-spend",
                "--item-id",
                "sword");
        assertEquals(spend, post("/wallets/spend", """
                {"user_id":"alice","asset_code":"GOLD_COINS","amount":300,"reference_id":"j-spend","item_id":"sword"}"""));
        assertEquals(
                cliJson("transfer", "alice", "bob", "--asset", "GOLD_COINS", "--amount", "200", "--reference", "j-t"),
                post("/wallets/transfer", """
                        {"from_user_id":"alice","to_user_id":"bob","asset_code":"GOLD_COINS","amount":200,
                         "reference_id":"j-t"}"""));
        String spendId = spend.get("transaction_id").asText();
        assertEquals(
                cliJson("reverse", spendId, "--reference", "j-r", "--amount", "100", "--reason", "mistake"),
                post("/transactions/" + spendId + "/reversal", """
                        {"reference_id":"j-r","amount":100,"reason":"mistake"}"""));
        String topUpId = topUp.get("transaction_id").asText();
        assertEquals(
                cliJson("chargeback", topUpId, "--reference", "j-c", "--policy", "debt"),
                post("/transactions/" + topUpId + "/chargeback", """
                        {"reference_id":"j-c","policy":"debt"}"""));
        assertEquals(
                cliJson(
                        "adjust",
                        "bob",
                        "--asset",
                        "GOLD_COINS",
                        "--credit",
                        "50",
                        "--reason",
                        "outage",
                        "--reference",
                        "j-a"),
                post("/adjustments", """
                        {"user_id":"bob","asset_code":"GOLD_COINS","direction":"credit","amount":50,
                         "reference_id":"j-a","reason":"outage"}"""));

        for (String id : new String[] {topUpId, spendId}) {
            assertEquals(cliJson("tx", id), get("/transactions/" + id));
        }
        assertEquals(cliJson("tx", "--reference", "j-t"), get("/transactions?reference_id=j-t"));
        for (String user : new String[] {"alice", "bob"}) {
            assertEquals(cliJson("history", user, "--limit", "50"), get("/wallets/" + user + "/transactions"));
            assertEquals(
                    cliJson("history", user, "--asset", "GOLD_COINS", "--limit", "2"),
                    get("/wallets/" + user + "/transactions?asset_code=GOLD_COINS&limit=2"));
            assertEquals(cliJson("balance", user), get("/wallets/" + user + "/balance"));
            assertEquals(
                    cliJson("balance", user, "--asset", "GOLD_COINS"),
                    get("/wallets/" + user + "/balance?asset_code=GOLD_COINS"));
        }
        assertEquals(cliJson("assets", "list"), get("/assets"));
    }

    private JsonNode cliJson(String... args) throws Exception {
        String[] withJson = java.util.Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        CliRunner.Result result = cli.run(withJson);
        assertEquals(0, result.exitCode(), result::toString);
        return MAPPER.readTree(result.out());
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "the CLI applied it; the server replays it: " + response.body());
        return MAPPER.readTree(response.body());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return MAPPER.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + "/api/v1" + path);
    }
}
