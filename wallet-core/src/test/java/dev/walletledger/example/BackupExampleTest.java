package dev.walletledger.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.backup.Backups;
import dev.walletledger.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wallet-core README's backup example runs, restores what was backed up, and is the one in the README. */
class BackupExampleTest {
    @TempDir
    Path temp;

    @Test
    void theReadmeExampleRunsAndIsTheOneInTheReadme() throws Exception {
        TestDatabase.assumeOwnServers(); // it starts an embedded PostgreSQL of its own
        Path restored = temp.resolve("restored");
        Backups.Restored result = BackupExample.run(temp.resolve("data"), temp.resolve("backup"), restored);
        assertTrue(result.report().consistent(), result.report().violations().toString());
        assertEquals(1, result.report().transactions(), "the top-up before the backup, not the spend after it");
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(restored);
                HikariDataSource pool = DataSources.pool(database.jdbcUrl(), database.user(), null, 2, "check");
                Ledger ledger = new Ledger(pool, LedgerConfig.defaults())) {
            assertEquals(500, ledger.balance("user_alice", "GOLD_COINS").balance());
        }

        String source = Files.readString(Path.of("src/test/java/dev/walletledger/example/BackupExample.java"));
        String example = trimLines(source.substring(
                source.indexOf("// README:begin") + "// README:begin".length(), source.indexOf("// README:end")));
        String readme = trimLines(Files.readString(Path.of("README.md")));
        assertTrue(readme.contains(example), "wallet-core/README.md must show BackupExample verbatim:\n" + example);
    }

    private static String trimLines(String text) {
        return text.strip().lines().map(String::strip).collect(java.util.stream.Collectors.joining("\n"));
    }
}
