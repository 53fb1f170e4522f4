package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.EventQuery;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletControls;
import dev.walletledger.http.wire.Bodies;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wallet events} and {@code wallet freeze|unfreeze|close|limits|controls}: lines and JSON as HTTP, following
 * the feed within its bounds, controls set and refused writes, usage errors.
 */
class EventsCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private CliRunner.Result fails(int exitCode, String... args) {
        CliRunner.Result result = cli.run(args);
        assertEquals(exitCode, result.exitCode(), result::toString);
        assertTrue(!result.err().contains("\tat "), () -> "a stack trace: " + result);
        return result;
    }

    @Test
    void aPageOfTheFeedAsLinesAndAsTheHttpAnswer() throws Exception {
        cli.ledger().topUp(Operation.topUp("ann", "GOLD_COINS", 500, "e-1"));
        cli.ledger().spend(Operation.spend("ann", "GOLD_COINS", 30, "e-2"));
        ok("freeze", "ann", "GOLD_COINS", "--reason", "fraud check", "--actor", "ops");

        List<String> lines = ok("events").out().lines().toList();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("transaction.topup") && lines.get(0).contains("ann=500"), lines.get(0));
        assertTrue(lines.get(1).contains("transaction.spend") && lines.get(1).contains("ann=470"), lines.get(1));
        assertTrue(lines.get(2).contains("wallet.frozen") && lines.get(2).contains("by ops"), lines.get(2));
        assertTrue(lines.get(3).startsWith("next: --after "), lines.get(3));

        // --json prints what HTTP answers: the same writer over the same page.
        String json = ok("events", "--types", "transaction.spend,wallet.frozen", "--json")
                .out();
        String expected = new String(
                        Bodies.events(cli.ledger()
                                .events(new EventQuery(
                                        java.util.Optional.empty(),
                                        java.util.Set.of("transaction.spend", "wallet.frozen"),
                                        EventQuery.LIMIT_DEFAULT,
                                        null))),
                        StandardCharsets.UTF_8)
                + "\n";
        assertEquals(expected, json);
        JsonNode page = MAPPER.readTree(json);
        assertEquals(2, page.get("events").size());
        String afterFirst = page.at("/events/0/cursor").asText();
        List<String> rest = ok("events", "--after", afterFirst, "--limit", "1")
                .out()
                .lines()
                .toList();
        assertEquals(2, rest.size(), rest.toString());
        assertTrue(rest.get(0).contains("wallet.frozen"), rest.toString());
    }

    @Test
    void followPrintsEventsAsTheyComeWithinItsBounds() throws Exception {
        String end = ok("events", "--json").out();
        String after = MAPPER.readTree(end).get("next").asText();
        CompletableFuture<CliRunner.Result> following = CompletableFuture.supplyAsync(
                () -> cli.run("events", "--follow", "--after", after, "--max-events", "2", "--json"));
        cli.ledger().topUp(Operation.topUp("bea", "GOLD_COINS", 10, "f-1"));
        cli.ledger().topUp(Operation.topUp("bea", "GOLD_COINS", 20, "f-2"));
        CliRunner.Result followed = following.get(60, TimeUnit.SECONDS);
        assertEquals(0, followed.exitCode(), followed::toString);
        List<String> lines = followed.out().lines().toList();
        assertEquals(2, lines.size(), followed.toString());
        assertEquals(20, MAPPER.readTree(lines.get(1)).at("/transaction/amount").longValue());

        // Nothing comes: --seconds ends it, and it says where to resume.
        CliRunner.Result quiet =
                ok("events", "--follow", "--after", after, "--types", "wallet.closed", "--seconds", "1");
        assertEquals("", quiet.out());
        assertTrue(quiet.err().contains("stopped after 0 events; resume with --after"), quiet.err());
    }

    @Test
    void controlsAreSetShownAndObeyed() throws Exception {
        cli.ledger().topUp(Operation.topUp("cid", "GOLD_COINS", 100, "c-1"));
        String shown = ok("controls", "cid", "GOLD_COINS").out();
        assertTrue(shown.contains("ACTIVE") && shown.contains("never"), shown);

        ok("freeze", "cid", "GOLD_COINS", "--reason", "dispute");
        CliRunner.Result refused =
                fails(65, "spend", "cid", "--asset", "GOLD_COINS", "--amount", "5", "--reference", "c-2");
        assertTrue(refused.err().contains("WALLET_FROZEN"), refused.toString());
        ok("unfreeze", "cid", "GOLD_COINS", "--reason", "resolved");

        JsonNode limits = MAPPER.readTree(ok(
                        "limits",
                        "cid",
                        "GOLD_COINS",
                        "--max-balance",
                        "150",
                        "--daily-spend",
                        "40",
                        "--reason",
                        "caps",
                        "--json")
                .out());
        assertEquals(150, limits.get("max_balance").longValue());
        assertEquals(40, limits.get("daily_spend_limit").longValue());
        CliRunner.Result over =
                fails(65, "topup", "cid", "--asset", "GOLD_COINS", "--amount", "51", "--reference", "c-3", "--json");
        assertEquals(
                "LIMIT_EXCEEDED", MAPPER.readTree(over.out()).at("/error/code").asText(), over.toString());
        JsonNode uncapped =
                MAPPER.readTree(ok("limits", "cid", "GOLD_COINS", "--max-balance", "none", "--reason", "vip", "--json")
                        .out());
        assertTrue(uncapped.get("max_balance").isNull(), uncapped.toString());
        assertEquals(40, uncapped.get("daily_spend_limit").longValue());
        assertTrue(ok("limits", "cid", "GOLD_COINS").out().contains("daily spend limit"));

        ok("close", "cid", "GOLD_COINS", "--reason", "account deleted");
        CliRunner.Result stillClosed = fails(65, "unfreeze", "cid", "GOLD_COINS", "--reason", "oops");
        assertTrue(
                stillClosed.err().contains("WALLET_CLOSED") && stillClosed.err().contains("--reopen"),
                stillClosed.toString());
        ok("unfreeze", "cid", "GOLD_COINS", "--reason", "reopened by support", "--reopen");

        String history =
                ok("controls", "cid", "GOLD_COINS", "--history", "--json").out();
        List<WalletControls> changes = cli.ledger().controlsHistory("cid", "GOLD_COINS");
        assertEquals(
                new String(Bodies.controlsHistory("cid", "GOLD_COINS", changes), StandardCharsets.UTF_8) + "\n",
                history);
        assertEquals(6, changes.size());
        assertTrue(ok("controls", "cid", "GOLD_COINS", "--history").out().contains("reopened by support"));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertTrue(fails(64, "freeze", "dan", "GOLD_COINS").err().contains("--reason is required"));
        assertTrue(fails(64, "events", "--types", "hold.nope").err().contains("hold.nope"));
        assertTrue(fails(64, "events", "--limit", "0").err().contains("--limit"));
        assertTrue(fails(64, "events", "--after", "abc").err().contains("VALIDATION_FAILED"));
        assertTrue(fails(64, "events", "--seconds", "5").err().contains("--follow"));
        assertTrue(fails(64, "events", "--follow", "--seconds", "0").err().contains("--seconds"));
        assertTrue(fails(64, "limits", "dan", "GOLD_COINS", "--max-balance", "-1", "--reason", "r")
                .err()
                .contains("--max-balance"));
        assertTrue(
                fails(64, "limits", "dan", "GOLD_COINS", "--reason", "r").err().contains("changes nothing"));
        assertTrue(fails(66, "controls", "dan", "NOPE").err().contains("ASSET_NOT_FOUND"));
    }
}
