package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.http.wire.Bodies;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code wallet balance --at} and {@code wallet report outstanding|activity}: table, JSON as HTTP, CSV, refusals. */
class ReportCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("", result.err(), result::toString);
        return result;
    }

    private CliRunner.Result fails(int exitCode, String... args) {
        CliRunner.Result result = cli.run(args);
        assertEquals(exitCode, result.exitCode(), result::toString);
        assertTrue(!result.err().contains("\tat "), () -> "a stack trace: " + result);
        return result;
    }

    @Test
    void aBalanceAtAMomentAndBothReportsInEveryForm() throws Exception {
        Instant from = cli.ledger()
                .topUp(Operation.topUp("ann", "GOLD_COINS", 500, "r-1"))
                .createdAt();
        cli.ledger().grantBonus(Operation.bonus("ann", "GOLD_COINS", 100, "r-2"));
        Instant to = cli.ledger()
                .spend(Operation.spend("ann", "GOLD_COINS", 30, "r-3"))
                .createdAt();

        JsonNode then = MAPPER.readTree(ok("balance", "ann", "--asset", "GOLD_COINS", "--at", from.toString(), "--json")
                .out());
        assertEquals(500, then.get("balance").longValue());
        assertEquals(from.toString(), Instant.parse(then.get("at").asText()).toString());
        String table = ok("balance", "ann", "--asset", "GOLD_COINS", "--at", to.toString())
                .out();
        assertTrue(table.contains("570") && table.contains("AT"), table);

        // --json prints what HTTP answers: the same writer over the same report.
        String json = ok("report", "outstanding", "--at", to.toString(), "--asset", "GOLD_COINS", "--json")
                .out();
        OutstandingReport outstanding = cli.ledger().outstanding(to, Optional.of("GOLD_COINS"));
        assertEquals(new String(Bodies.outstanding(outstanding), StandardCharsets.UTF_8) + "\n", json);
        assertEquals(
                List.of(
                        "asset_code,decimal_places,paid,free,held,expiring_within_30_days,wallets",
                        "GOLD_COINS,0,500,70,0,0,1"),
                ok("report", "outstanding", "--at", to.toString(), "--asset", "GOLD_COINS", "--csv")
                        .out()
                        .lines()
                        .toList());
        List<String> all = ok("report", "outstanding", "--at", to.toString(), "--csv")
                .out()
                .lines()
                .toList();
        assertEquals(4, all.size(), all.toString()); // the header and the three starter assets
        assertTrue(ok("report", "outstanding", "--at", to.toString()).out().contains("EXPIRING_30D"));

        String activityJson = ok(
                        "report",
                        "activity",
                        "--from",
                        from.toString(),
                        "--to",
                        to.toString(),
                        "--asset",
                        "GOLD_COINS",
                        "--json")
                .out();
        ActivityReport activity = cli.ledger().activity(from, to, Optional.of("GOLD_COINS"));
        assertEquals(new String(Bodies.activity(activity), StandardCharsets.UTF_8) + "\n", activityJson);
        List<String> csv = ok(
                        "report",
                        "activity",
                        "--from",
                        from.toString(),
                        "--to",
                        to.toString(),
                        "--asset",
                        "GOLD_COINS",
                        "--csv")
                .out()
                .lines()
                .toList();
        assertEquals(2, csv.size(), csv.toString());
        assertEquals(
                "asset_code,decimal_places,paid_credited,free_granted,paid_spent,free_spent,expired,refunded,"
                        + "charged_back,adjusted_credit,adjusted_debit,held,released,transferred,paid_opening,"
                        + "paid_credits,paid_debits,paid_closing,free_opening,free_credits,free_debits,free_closing",
                csv.get(0));
        assertEquals("GOLD_COINS,0,0,100,0,30,0,0,0,0,0,0,0,0,500,0,0,500,0,100,30,70", csv.get(1));
        String human = ok("report", "activity", "--from", from.toString(), "--to", to.toString())
                .out();
        assertTrue(human.contains("free_granted") && human.contains("DIAMONDS"), human);
    }

    @Test
    void badMomentsAndOptionsAreRefused() {
        cli.ledger().topUp(Operation.topUp("bob", "GOLD_COINS", 5, "b-1"));
        String future = Instant.now().plusSeconds(3600).toString();
        String past = Instant.now().minusSeconds(3600).toString();
        fails(64, "report", "outstanding");
        fails(64, "report", "outstanding", "--at", "yesterday");
        fails(64, "report", "outstanding", "--at", future);
        fails(64, "report", "outstanding", "--at", past, "--json", "--csv");
        fails(64, "report", "activity", "--from", past);
        fails(64, "report", "activity", "--from", future, "--to", past);
        fails(64, "balance", "bob", "--at", past);
        fails(64, "balance", "bob", "--asset", "GOLD_COINS", "--at", future);
        fails(66, "report", "outstanding", "--at", past, "--asset", "NOPE");
        assertTrue(ok("report", "activity", "--help").out().contains("REPORT_INCONSISTENT"));
    }
}
