package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real connection path: DATABASE_URL through the shared runtime, the embedded data directory, and their failures. */
class PostgresConnectorTest {
    private static CliRunner.Result run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = new Cli(new PostgresConnector(stderr), environment, false, System::nanoTime)
                    .run(args, stdout, stderr);
        }
        CliRunner.Result result = new CliRunner.Result(
                exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(result.err().contains("\tat "), () -> "a stack trace: " + result);
        return result;
    }

    @Test
    void aDatabaseUrlSchemaIsCreatedByMigrateAndRefusedBeforeIt() {
        Map<String, String> environment = Map.of("DATABASE_URL", TestDatabase.jdbcUrl());
        String schema = TestDatabase.newSchemaName();

        CliRunner.Result before = run(environment, "stats", "--schema", schema);
        assertEquals(66, before.exitCode(), before::toString);
        assertTrue(
                before.err()
                        .startsWith("wallet: LEDGER_NOT_FOUND: schema " + schema + " holds no ledger in "
                                + "jdbc:postgresql://"),
                before::toString);

        CliRunner.Result migrate = run(environment, "migrate", "--schema", schema);
        assertEquals(0, migrate.exitCode(), migrate::toString);
        assertEquals(
                "schema " + schema + ": applied " + TestDatabase.shippedMigrations()
                        + " migrations\nadded the starter assets GOLD_COINS, DIAMONDS,"
                        + " LOYALTY_POINTS\n",
                migrate.out());

        CliRunner.Result topup = run(
                environment,
                "--schema",
                schema,
                "topup",
                "alice",
                "--asset",
                "GOLD_COINS",
                "--amount",
                "5",
                "--reference",
                "p1");
        assertEquals(0, topup.exitCode(), topup::toString);
        assertEquals(0, run(environment, "--schema", schema, "verify").exitCode());
    }

    @Test
    void aBadUrlIsAUsageErrorThatNeverEchoesThePassword() {
        CliRunner.Result scheme = run(Map.of(), "stats", "--database-url", "mysql://root:hunter2@db/x");
        assertEquals(64, scheme.exitCode(), scheme::toString);
        assertTrue(scheme.err().startsWith("wallet: USAGE: --database-url must start with "), scheme::toString);
        CliRunner.Result syntax = run(Map.of("DATABASE_URL", "postgresql://root:hunter2@db host/x"), "stats");
        assertEquals(64, syntax.exitCode(), syntax::toString);
        assertFalse(syntax.err().contains("hunter2"), syntax::toString);
    }

    @Test
    void aMissingDataDirectoryIsNotCreatedByAReadCommand(@TempDir Path temporary) {
        Path absent = temporary.resolve("nowhere");
        CliRunner.Result result = run(Map.of(), "balance", "alice", "--data-dir", absent.toString());
        assertEquals(66, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("wallet: LEDGER_NOT_FOUND: no ledger in " + absent), result::toString);
        assertFalse(absent.toFile().exists());
    }

    @Test
    void theEmbeddedDataDirectoryIsStartedForACommandAndStoppedAfterIt(@TempDir Path temporary) {
        String dataDirectory = temporary.resolve("wallet-data").toString();
        CliRunner.Result migrate = run(Map.of(), "migrate", "--data-dir", dataDirectory);
        assertEquals(0, migrate.exitCode(), migrate::toString);
        CliRunner.Result topup = run(
                Map.of(),
                "topup",
                "alice",
                "--asset",
                "GOLD_COINS",
                "--amount",
                "7",
                "--reference",
                "p1",
                "--data-dir",
                dataDirectory);
        assertEquals(0, topup.exitCode(), topup::toString);
        CliRunner.Result balance = run(Map.of(), "balance", "alice", "--data-dir", dataDirectory);
        assertEquals(
                "ASSET       BALANCE  MINOR_UNITS  PAID  FREE  HELD  NEXT_EXPIRY\nGOLD_COINS        7            7     7     0     0  -\n",
                balance.out(),
                balance::toString);
    }

    @Test
    void whileTheServerRunsTheEmbeddedDatabaseTheCliAttachesAndLeavesItRunning(@TempDir Path temporary) {
        Path dataDirectory = temporary.resolve("wallet-data");
        // The server's side: it owns the embedded PostgreSQL for as long as this block runs.
        try (EmbeddedDatabase server = EmbeddedDatabase.startOrAttach(dataDirectory);
                HikariDataSource pool =
                        DataSources.pool(server.jdbcUrl(), server.user(), server.password(), 2, "server")) {
            assertTrue(server.startedHere());
            Ledger.migrate(pool, LedgerConfig.defaults());
            try (Ledger owner = new Ledger(pool, LedgerConfig.defaults())) { // as the server does
                Asset.STARTERS.forEach(owner::addAsset);
            }
            CliRunner.Result topup = run(
                    Map.of(),
                    "topup",
                    "alice",
                    "--asset",
                    "GOLD_COINS",
                    "--amount",
                    "3",
                    "--reference",
                    "p1",
                    "--data-dir",
                    dataDirectory.toString());
            assertEquals(0, topup.exitCode(), topup::toString);
            // The CLI closed its side; the server's database still answers, with the CLI's write in it.
            assertEquals(
                    3,
                    new Ledger(pool, LedgerConfig.defaults())
                            .balance("alice", "GOLD_COINS")
                            .balance());
            assertEquals(
                    0,
                    run(Map.of(), "verify", "--data-dir", dataDirectory.toString())
                            .exitCode());
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLineNamingWhatWasGiven() {
        CliRunner.Result refused =
                run(Map.of(), "--database-url", "postgresql://u:p@127.0.0.1:1/db", "balance", "alice");
        assertEquals(69, refused.exitCode(), refused::toString);
        assertEquals(1, refused.err().lines().count(), refused::toString);
        assertTrue(
                refused.err().startsWith("wallet: STORAGE_UNAVAILABLE: the database cannot be reached"),
                refused::toString);
        assertTrue(refused.err().contains("127.0.0.1:1"), refused::toString);
        assertFalse(refused.err().contains("password") || refused.err().contains(":p@"), refused::toString);

        CliRunner.Result variable = run(Map.of("DATABASE_URL", "mysql://x"), "stats");
        assertEquals(64, variable.exitCode(), variable::toString);
        assertTrue(variable.err().startsWith("wallet: USAGE: DATABASE_URL "), variable::toString);
    }
}
