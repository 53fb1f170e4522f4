package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code wallet webhooks add|list|remove|resume} against a real ledger: the output, the JSON, the exit codes. */
class WebhooksCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void aSubscriptionIsAddedListedRemovedAndNotResumed() throws Exception {
        CliRunner.Result added = cli.run(
                "webhooks",
                "add",
                "http://127.0.0.1:9/hook",
                "--types",
                "transaction.topup,hold.placed",
                "--allow-private",
                "--json");
        assertEquals(0, added.exitCode(), added.toString());
        JsonNode webhook = MAPPER.readTree(added.out());
        String id = webhook.get("webhook_id").asText();
        assertTrue(webhook.get("secret").asText().startsWith("whsec_"));
        assertEquals(
                "[\"hold.placed\",\"transaction.topup\"]", webhook.get("types").toString());
        assertTrue(webhook.get("actor").asText().startsWith("cli:"));

        CliRunner.Result text = cli.run("webhooks", "add", "http://127.0.0.1:9/other", "--allow-private");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("secret whsec_"), text.out());

        CliRunner.Result list = cli.run("webhooks", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains(id) && list.out().contains("ACTIVE"), list.out());
        assertTrue(!list.out().contains("whsec_"), "the list never shows a secret");
        assertEquals(
                2,
                MAPPER.readTree(cli.run("webhooks", "list", "--json").out())
                        .get("webhooks")
                        .size());

        CliRunner.Result removed = cli.run("webhooks", "remove", id);
        assertEquals(0, removed.exitCode(), removed.toString());
        assertTrue(removed.out().contains("is REMOVED"), removed.out());
        CliRunner.Result resumed = cli.run("webhooks", "resume", id);
        assertEquals(65, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.err().contains("WEBHOOK_REMOVED"), resumed.err());
    }

    @Test
    void refusalsHaveTheirExitCodes() {
        CliRunner.Result loopback = cli.run("webhooks", "add", "http://127.0.0.1:9/hook");
        assertEquals(64, loopback.exitCode(), loopback.toString());
        assertTrue(loopback.err().contains("WEBHOOK_URL_REFUSED"), loopback.err());
        assertEquals(64, cli.run("webhooks", "add", "ftp://203.0.113.10/x").exitCode());
        assertEquals(
                64,
                cli.run("webhooks", "add", "http://203.0.113.10/x", "--types", "nope.nope")
                        .exitCode());
        assertEquals(64, cli.run("webhooks", "remove", "not-a-uuid").exitCode());
        CliRunner.Result unknown = cli.run("webhooks", "resume", "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        assertEquals(66, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("WEBHOOK_NOT_FOUND"), unknown.err());
    }
}
