package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.TransactionResult;
import dev.walletledger.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code wallet anchor}, {@code wallet verify --anchor}, and the actor the CLI records. */
class AnchorCommandTest {
    private final CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void anAnchorTakenEarlierCatchesARewriteThatVerifyAloneCannotSee() throws Exception {
        assertEquals(
                0,
                cli.run(
                                "topup",
                                "alice",
                                "--asset",
                                "GOLD_COINS",
                                "--amount",
                                "500",
                                "--reference",
                                "p1",
                                "--actor",
                                "ops:ann")
                        .exitCode());
        assertEquals(
                0,
                cli.run("spend", "alice", "--asset", "GOLD_COINS", "--amount", "200", "--reference", "s1")
                        .exitCode());
        CliRunner.Result anchor = cli.run("anchor");
        assertEquals(0, anchor.exitCode(), anchor::toString);
        String line = anchor.out().strip();
        assertTrue(line.matches("wl1\\.[0-9]+\\.[0-9a-f]{64}"), line);
        CliRunner.Result matched = cli.run("verify", "--anchor", line);
        assertEquals(0, matched.exitCode(), matched::toString);
        assertTrue(
                matched.out()
                        .contains("\nanchor checked: history up to entry " + line.split("\\.")[1] + " is what it was"),
                matched::toString);
        CliRunner.Result matchedJson = cli.run("verify", "--anchor", line, "--json");
        assertTrue(matchedJson.out().contains("\"anchor\":{\"line\":\"" + line + "\""), matchedJson::toString);
        assertTrue(matchedJson.out().contains("\"matches\":true"), matchedJson::toString);

        TransactionResult first = cli.ledger().transactionByReference("p1").orElseThrow();
        assertEquals("ops:ann", first.actor());
        assertTrue(
                cli.ledger().transactionByReference("s1").orElseThrow().actor().startsWith("cli:"));

        // Cut the tail and make the rest self-consistent: only the anchor can tell.
        String schema = cli.test.schema();
        TestDatabase.tamper(schema, """
                DELETE FROM {s}.ledger_events WHERE transaction_id IN
                    (SELECT id FROM {s}.ledger_transactions WHERE reference_id = 's1');
                DELETE FROM {s}.ledger_entries WHERE transaction_id IN
                    (SELECT id FROM {s}.ledger_transactions WHERE reference_id = 's1');
                DELETE FROM {s}.ledger_transactions WHERE reference_id = 's1';
                DELETE FROM {s}.ledger_references WHERE reference_id = 's1';
                UPDATE {s}.wallets SET balance = 500,
                       chain_head = (SELECT e.chain_hash FROM {s}.ledger_entries e
                                      JOIN {s}.ledger_transactions t ON t.id = e.transaction_id
                                     WHERE t.reference_id = 'p1' AND e.chain_hash IS NOT NULL),
                       last_entry_at = (SELECT created_at FROM {s}.ledger_transactions WHERE reference_id = 'p1')
                 WHERE owner_id = 'alice'""");
        assertEquals(0, cli.run("verify").exitCode(), "self-consistent after the cut");
        CliRunner.Result checked = cli.run("verify", "--anchor", line);
        assertEquals(65, checked.exitCode(), checked::toString);
        assertTrue(checked.out().contains("\nANCHOR MISMATCH: history up to entry "), checked::toString);
    }

    @Test
    void aMalformedAnchorIsAValidationError() {
        CliRunner.Result result = cli.run("verify", "--anchor", "not-an-anchor");
        assertEquals(64, result.exitCode(), result::toString);
        assertTrue(result.err().contains("VALIDATION_FAILED"), result::toString);
    }
}
