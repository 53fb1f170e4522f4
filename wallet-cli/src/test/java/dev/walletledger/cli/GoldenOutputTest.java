package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.core.Asset;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The human tables, byte for byte, against files in {@code src/test/resources/golden}. Timestamps and
 * transaction ids (wall clock, UUIDv7) are replaced by same-width placeholders, so alignment is still
 * checked. After an intended change, re-create the files with {@code -Dwallet.golden.update=true} and
 * review the diff.
 */
class GoldenOutputTest {
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final CliRunner cli = new CliRunner();

    @BeforeEach
    void ledger() {
        cli.ledger().addAsset(new Asset("GEMS", "Gems", 2));
        cli.ledger()
                .topUp(new Operation.TopUp(
                        "alice", "GEMS", 1250, "pay_1", "stripe", Metadata.parse("{\"order\":\"A-1\"}")));
        cli.ledger().grantBonus(new Operation.Bonus("alice", "GEMS", 5, "gift_1", "REFERRAL", Metadata.empty()));
        cli.ledger().spend(new Operation.Spend("alice", "GEMS", 300, "buy_1", "sword", Metadata.empty()));
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 40, "pay_2"));
        cli.ledger().topUp(Operation.topUp("ü_bob", "GOLD_COINS", 1_000_000, "pay_3"));
    }

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void history() throws IOException {
        golden("history.txt", "history", "alice");
        golden("history-page.txt", "history", "alice", "--asset", "GEMS", "--limit", "2");
    }

    @Test
    void balance() throws IOException {
        golden("balance.txt", "balance", "alice");
    }

    @Test
    void transaction() throws IOException {
        golden("tx.txt", "tx", "--reference", "pay_1");
    }

    @Test
    void assetsAndStats() throws IOException {
        golden("assets.txt", "assets", "list");
        golden("stats.txt", "stats");
    }

    private void golden(String file, String... args) throws IOException {
        CliRunner.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        String actual = result.out()
                .replaceAll(TIMESTAMP, "YYYY-MM-DDTHH:MM:SS.mmmZ")
                .replaceAll(UUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
        if (Boolean.getBoolean("wallet.golden.update")) {
            Files.writeString(Path.of("src/test/resources/golden", file), actual, StandardCharsets.UTF_8);
            return;
        }
        try (InputStream expected = GoldenOutputTest.class.getResourceAsStream("/golden/" + file)) {
            assertEquals(
                    expected == null
                            ? "(no golden file " + file + ")"
                            : new String(expected.readAllBytes(), StandardCharsets.UTF_8),
                    actual,
                    Map.of("args", args).toString());
        }
    }
}
