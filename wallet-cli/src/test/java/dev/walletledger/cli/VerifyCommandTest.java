package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.Operation;
import dev.walletledger.testing.TestDatabase;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code wallet verify} and {@code wallet stats} against a ledger corrupted on purpose, and the progress bar. */
class VerifyCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    /**
     * Tampers with the amount of one SYSTEM entry as the superuser, with the ledger's ENABLE ALWAYS triggers off
     * meanwhile: the transaction no longer balances and the asset no longer sums to zero.
     */
    private void corruptASystemEntry() throws Exception {
        String schema = cli.test.schema();
        TestDatabase.execute("ALTER TABLE " + schema + ".ledger_entries DISABLE TRIGGER ALL; "
                + "UPDATE " + schema + ".ledger_entries SET amount = amount + 1 WHERE id = (SELECT min(e.id) FROM "
                + schema + ".ledger_entries e JOIN " + schema + ".wallets w ON w.id = e.wallet_id"
                + " WHERE w.kind = 'SYSTEM'); "
                + "ALTER TABLE " + schema + ".ledger_entries ENABLE TRIGGER ALL");
    }

    @Test
    void aCorruptedLedgerFailsVerifyWithExit65AndNamesTheViolations() throws Exception {
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 100, "p1"));
        cli.ledger().spend(Operation.spend("alice", "GOLD_COINS", 30, "s1"));
        assertEquals(0, cli.run("verify").exitCode());
        corruptASystemEntry();

        CliRunner.Result text = cli.run("verify");
        assertEquals(65, text.exitCode(), text::toString);
        assertTrue(text.out().startsWith("CHECK "), text::toString);
        assertTrue(text.out().lines().anyMatch(line -> line.startsWith("INCONSISTENT: ")), text::toString);

        CliRunner.Result json = cli.run("verify", "--json");
        assertEquals(65, json.exitCode(), json::toString);
        JsonNode report = MAPPER.readTree(json.out());
        assertFalse(report.get("consistent").asBoolean());
        assertTrue(report.get("violation_count").asLong() >= 1);
        Set<String> checks = new HashSet<>();
        report.get("violations")
                .forEach(violation -> checks.add(violation.get("check").asText()));
        assertTrue(checks.contains("transaction_balance"), checks::toString);
        assertTrue(checks.contains("conservation"), checks::toString);

        CliRunner.Result stats = cli.run("stats");
        assertEquals(65, stats.exitCode(), stats::toString);
        assertTrue(stats.err().contains("run wallet verify"), stats::toString);
    }

    @Test
    void progressIsDrawnOnStderrWhenAskedAndStdoutStaysClean() throws Exception {
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 100, "p1"));
        // A second credit meets the wallet that exists: that creation attempt uses up an id, so the next wallet's
        // id leaves a gap, and the progress must count wallets, not ids.
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 100, "p2"));
        cli.ledger().topUp(Operation.topUp("bob", "GOLD_COINS", 100, "p3"));
        CliRunner.Result result = cli.run("verify", "--progress");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("\rverifying [.............................."), result::toString);
        assertTrue(result.err().endsWith("] 100%  23/23 wallets\n"), result::toString);
        assertTrue(result.out().startsWith("consistent: 3 assets, 23 wallets, "), result::toString);
    }

    @Test
    void withoutATerminalOrWhenQuickThereIsNoProgressBar() {
        assertEquals("", cli.run("verify").err());
        cli.close();
        cli = new CliRunner(Map.of(), true); // a terminal, but the fake clock never passes the delay
        assertEquals("", cli.run("verify").err());
    }

    @Test
    void onATerminalTheBarAppearsOnceTheAuditRunsLong() {
        StringBuilder drawn = new StringBuilder();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(
                new java.io.PrintStream(
                        new java.io.OutputStream() {
                            @Override
                            public void write(int b) {
                                drawn.append((char) b);
                            }
                        },
                        true),
                false,
                true,
                () -> now[0]);
        bar.progressed(0, 1000);
        assertEquals("", drawn.toString());
        now[0] = ProgressBar.DELAY_NANOS;
        bar.progressed(500, 1000);
        assertEquals("\rverifying [###############...............]  50%  500/1000 wallets", drawn.toString());
        bar.progressed(501, 1000); // the same percent: not redrawn
        assertEquals("\rverifying [###############...............]  50%  500/1000 wallets", drawn.toString());
        bar.finish();
        assertTrue(drawn.toString().endsWith("\n"));
    }
}
