package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Operation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every command through {@link Cli#run}, in-process, over a real PostgreSQL schema of its own. */
class CliTest {
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
        assertFalse(result.err().contains("\tat "), () -> "a stack trace: " + result);
        return result;
    }

    private JsonNode json(String... args) throws Exception {
        return MAPPER.readTree(ok(args).out());
    }

    private void gems() {
        cli.ledger().addAsset(new Asset("GEMS", "Gems", 2));
    }

    @Test
    void benchRefusesUnknownWorkloadsAndRepetitionsOutOfRange() {
        assertTrue(fails(64, "bench", "--only", "topups,nonsense")
                .err()
                .startsWith("wallet: USAGE: --only takes library workloads by key or name (topups, mix, "));
        assertTrue(fails(64, "bench", "--repetitions", "0")
                .err()
                .startsWith("wallet: USAGE: --repetitions must be a whole number from 1 to 9, got '0'"));
    }

    @Test
    void migrateIsSafeToRunAgain() throws Exception {
        assertEquals(
                "schema " + cli.test.schema() + " is up to date; no migrations to apply\n",
                ok("migrate").out());
        JsonNode document = json("migrate", "--json");
        assertEquals(0, document.get("migrations_applied").asInt());
        assertTrue(cli.targets.get(0).creating());
    }

    @Test
    void theMovementsBeyondTheSeedsThree() throws Exception {
        ok("topup", "ann", "--asset", "GOLD_COINS", "--amount", "1000", "--reference", "c-top");
        JsonNode transfer = json(
                "transfer", "ann", "ben", "--asset", "GOLD_COINS", "--amount", "300", "--reference", "c-t", "--json");
        assertEquals("TRANSFER", transfer.get("type").asText());
        assertEquals("ben", transfer.get("to_user_id").asText());
        assertEquals(700, transfer.get("from_balance").asLong()); // as the HTTP API answers a transfer
        assertEquals(300, transfer.get("to_balance").asLong());
        assertFalse(transfer.has("balance"), transfer::toString);
        assertTrue(ok("transfer", "ann", "ben", "--asset", "GOLD_COINS", "--amount", "300", "--reference", "c-t")
                .out()
                .startsWith("replayed: "));
        CliRunner.Result same = // a value the ledger refuses as malformed: the command line is wrong
                fails(64, "transfer", "ann", "ann", "--asset", "GOLD_COINS", "--amount", "1", "--reference", "c-x");
        assertTrue(same.err().contains("to_user_id"), same::toString);

        String spend = json("spend", "ann", "--asset", "GOLD_COINS", "--amount", "200", "--reference", "c-s", "--json")
                .get("transaction_id")
                .asText();
        JsonNode reversal =
                json("reverse", spend, "--reference", "c-r", "--amount", "50", "--reason", "refund", "--json");
        assertEquals("REVERSAL", reversal.get("type").asText());
        assertEquals(spend, reversal.get("reverses").asText());
        assertEquals(550, reversal.get("balance").asLong());
        CliRunner.Result tooMuch = fails(65, "reverse", spend, "--reference", "c-r2", "--amount", "151");
        assertTrue(tooMuch.err().startsWith("wallet: REVERSAL_EXCEEDS_ORIGINAL: "), tooMuch::toString);

        String top = cli.ledger()
                .transactionByReference("c-top")
                .orElseThrow()
                .transactionId()
                .toString();
        JsonNode chargeback = json("chargeback", top, "--reference", "c-cb", "--policy", "write_off", "--json");
        assertEquals(550, chargeback.get("recovered").asLong());
        assertEquals(450, chargeback.get("shortfall").asLong());
        assertEquals(0, chargeback.get("balance").asLong());
        assertTrue(fails(64, "chargeback", top, "--reference", "c-cb2", "--policy", "maybe")
                .err()
                .contains("--policy"));
        assertTrue(fails(64, "chargeback", top, "--reference", "c-cb2", "--policy", "write-off") // spelled exactly
                .err()
                .contains("--policy must be debt or write_off"));

        JsonNode adjust = json(
                "adjust",
                "ben",
                "--asset",
                "GOLD_COINS",
                "--debit",
                "20",
                "--reason",
                "typo",
                "--reference",
                "c-a",
                "--actor",
                "ops:kim",
                "--json");
        assertEquals(280, adjust.get("balance").asLong());
        assertEquals("ops:kim", adjust.get("actor").asText());
        assertTrue(fails(
                        64,
                        "adjust",
                        "ben",
                        "--asset",
                        "GOLD_COINS",
                        "--credit",
                        "1",
                        "--debit",
                        "1",
                        "--reason",
                        "x",
                        "--reference",
                        "c-a2")
                .err()
                .contains("exactly one of --credit"));
        assertTrue(ok("--help").out().contains("chargeback"));
        assertEquals(0, ok("verify").exitCode());
    }

    @Test
    void assetsAddThenList() throws Exception {
        assertEquals(
                "asset GEMS (Gems, 2 decimal places, spend order free_first) is defined, with its TREASURY,"
                        + " BONUS_POOL, REVENUE, ADJUSTMENTS, CHARGEBACK_LOSS, PROMO_REDEEMED and BREAKAGE wallets\n",
                ok("assets", "add", "--code", "GEMS", "--name", "Gems", "--decimals", "2")
                        .out());
        ok("assets", "add", "--code=GEMS", "--name=Gems", "--decimals=2"); // the same again: a no-op
        CliRunner.Result conflict = fails(65, "assets", "add", "--code", "GEMS", "--name", "Gems", "--decimals", "3");
        assertTrue(conflict.err().startsWith("wallet: ASSET_EXISTS: "), conflict::toString);
        JsonNode assets = json("assets", "list", "--json").get("assets");
        assertEquals(
                List.of("DIAMONDS", "GEMS", "GOLD_COINS", "LOYALTY_POINTS"),
                List.of(
                        assets.get(0).get("code").asText(),
                                assets.get(1).get("code").asText(),
                        assets.get(2).get("code").asText(),
                                assets.get(3).get("code").asText()));
        assertEquals(2, assets.get(1).get("decimal_places").asInt());
        assertTrue(fails(64, "assets", "add", "--code", "X", "--name", "X", "--decimals", "19")
                .err()
                .startsWith("wallet: USAGE: --decimals must be a whole number from 0 to 18, got '19'\n"));
        assertTrue(fails(64, "assets", "add", "--code", "X", "--name", "X")
                .err()
                .startsWith("wallet: USAGE: --decimals is required\nusage: wallet assets add "));
        assertTrue(fails(64, "assets", "add", "--code", "lower", "--name", "X", "--decimals", "0")
                .err()
                .startsWith("wallet: VALIDATION_FAILED: asset_code must be "));
    }

    @Test
    void topupBonusSpendAndTheirReplays() throws Exception {
        gems();
        CliRunner.Result topup = ok(
                "topup",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "1250",
                "--reference",
                "pay_1",
                "--payment-method",
                "stripe",
                "--metadata",
                "{\"order\": \"A-1\"}");
        assertTrue(topup.out().startsWith("applied: balance after is 12.50 GEMS\n"), topup::toString);
        assertTrue(topup.out().contains("payment_method  stripe\n"), topup::toString);
        CliRunner.Result replay = ok(
                "topup",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "1250",
                "--reference",
                "pay_1",
                "--payment-method",
                "stripe",
                "--metadata",
                "{\"order\":\"A-1\"}");
        assertTrue(
                replay.out().startsWith("replayed: reference pay_1 was already applied; nothing changed\n"),
                replay::toString);

        JsonNode bonus = json(
                "bonus",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "50",
                "--reference",
                "gift_1",
                "--bonus-type",
                "REFERRAL",
                "--json");
        assertEquals("BONUS", bonus.get("type").asText());
        assertEquals(1300, bonus.get("balance").asLong());
        assertEquals("REFERRAL", bonus.get("bonus_type").asText());
        assertFalse(bonus.has("replayed"), "a write's answer, as over HTTP: a replay is told on stderr");
        assertFalse(bonus.has("entries"), "as over HTTP, a write's answer lists no postings; tx does");

        JsonNode spend = json(
                "spend",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "300",
                "--reference",
                "buy_1",
                "--item-id",
                "sword",
                "--json");
        assertEquals(1000, spend.get("balance").asLong());
        JsonNode read = json("tx", spend.get("transaction_id").asText(), "--json");
        assertEquals("DEBIT", read.get("entries").get(0).get("direction").asText());
        assertEquals(
                "BONUS_POOL",
                json("tx", "--reference", "gift_1", "--json")
                        .get("entries")
                        .get(1)
                        .get("owner")
                        .asText());
        CliRunner.Result replayedJson = cli.run(
                "spend",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "300",
                "--reference",
                "buy_1",
                "--item-id",
                "sword",
                "--json");
        assertEquals(0, replayedJson.exitCode(), replayedJson::toString);
        assertEquals(spend, MAPPER.readTree(replayedJson.out()), "a replay answers the same body");
        assertEquals("wallet: replayed: reference buy_1 was already applied; nothing changed\n", replayedJson.err());
        assertEquals(1000, cli.ledger().balance("alice", "GEMS").balance());
    }

    @Test
    void ruleAndDataErrorsExit65WithTheirCode() throws Exception {
        gems();
        CliRunner.Result noWallet = fails(66, "spend", "bob", "--asset", "GEMS", "--amount", "1", "--reference", "b1");
        assertEquals("wallet: WALLET_NOT_FOUND: user bob has no GEMS wallet\n", noWallet.err());
        ok("topup", "bob", "--asset", "GEMS", "--amount", "100", "--reference", "p1");
        // The refusal is bound to b1: once the wallet exists, the same spend still replays it.
        CliRunner.Result stillRefused =
                fails(66, "spend", "bob", "--asset", "GEMS", "--amount", "1", "--reference", "b1");
        assertEquals(
                "wallet: replayed: reference b1 was refused before and stays refused; a new attempt needs a new"
                        + " --reference\nwallet: WALLET_NOT_FOUND: user bob has no GEMS wallet\n",
                stillRefused.err());
        assertEquals(100, cli.ledger().balance("bob", "GEMS").balance());
        CliRunner.Result insufficient =
                fails(65, "spend", "bob", "--asset", "GEMS", "--amount", "101", "--reference", "b2", "--json");
        assertTrue(insufficient.err().startsWith("wallet: INSUFFICIENT_FUNDS: "), insufficient::toString);
        assertEquals(
                "INSUFFICIENT_FUNDS",
                MAPPER.readTree(insufficient.out()).get("error").get("code").asText());

        CliRunner.Result conflict =
                fails(65, "topup", "bob", "--asset", "GEMS", "--amount", "999", "--reference", "p1");
        assertTrue(conflict.err().startsWith("wallet: IDEMPOTENCY_CONFLICT: "), conflict::toString);
        CliRunner.Result metadata = fails(
                64, "topup", "bob", "--asset", "GEMS", "--amount", "1", "--reference", "p2", "--metadata", "[1,2]");
        assertTrue(metadata.err().startsWith("wallet: VALIDATION_FAILED: metadata"), metadata::toString);
        CliRunner.Result blankUser = fails(64, "topup", " ", "--asset", "GEMS", "--amount", "1", "--reference", "p3");
        assertTrue(blankUser.err().startsWith("wallet: VALIDATION_FAILED: user_id"), blankUser::toString);
    }

    @Test
    void amountsMustBeWholePositiveMinorUnits() {
        for (String amount :
                List.of("1.5", "1e3", "-5", "0", "", "99999999999999999999", "1000000000000001", "12,50")) {
            CliRunner.Result result =
                    fails(64, "topup", "alice", "--asset", "GOLD_COINS", "--amount=" + amount, "--reference", "r");
            assertTrue(result.err().startsWith("wallet: USAGE: --amount "), result::toString);
            assertTrue(result.err().contains("\nusage: wallet topup USER --asset CODE --amount N"), result::toString);
        }
        assertTrue(cli.ledger().balances("alice").isEmpty());
    }

    @Test
    void notFoundExits66() {
        CliRunner.Result asset = fails(66, "topup", "alice", "--asset", "NOPE", "--amount", "1", "--reference", "r");
        assertTrue(asset.err().startsWith("wallet: ASSET_NOT_FOUND: "), asset::toString);
        CliRunner.Result wallet = fails(66, "balance", "nobody", "--asset", "GOLD_COINS");
        assertTrue(wallet.err().startsWith("wallet: WALLET_NOT_FOUND: "), wallet::toString);
        CliRunner.Result tx = fails(66, "tx", "01900000-0000-7000-8000-000000000000");
        assertEquals("wallet: TRANSACTION_NOT_FOUND: no transaction 01900000-0000-7000-8000-000000000000\n", tx.err());
        CliRunner.Result reference = fails(66, "tx", "--reference", "nope", "--json");
        assertTrue(reference.out().contains("\"reference_id\":\"nope\""), reference::toString);
    }

    @Test
    void balanceShowsMajorAndMinorUnits() throws Exception {
        gems();
        ok("topup", "alice", "--asset", "GEMS", "--amount", "1250", "--reference", "p1");
        ok("topup", "alice", "--asset", "GOLD_COINS", "--amount", "7", "--reference", "p2");
        ok(
                "bonus",
                "alice",
                "--asset",
                "GEMS",
                "--amount",
                "250",
                "--reference",
                "b1",
                "--expires",
                "2030-01-01T00:00:00Z");
        assertEquals("""
                ASSET       BALANCE  MINOR_UNITS   PAID  FREE  HELD  NEXT_EXPIRY
                GEMS          15.00         1500  12.50  2.50  0.00  2.50 at 2030-01-01T00:00:00Z
                GOLD_COINS        7            7      7     0     0  -
                """, ok("balance", "alice").out());
        JsonNode one = json("balance", "alice", "--asset", "GEMS", "--json"); // as GET .../balance?asset_code=
        assertEquals("GEMS", one.get("asset_code").asText());
        assertEquals(1500, one.get("balance").asLong());
        assertEquals(1250, one.get("paid").asLong());
        assertEquals(250, one.get("free").asLong());
        assertEquals(
                "2030-01-01T00:00:00.000000Z",
                one.get("expiring").get(0).get("expires_at").asText());
        assertEquals(2, one.get("decimal_places").asInt());
        assertEquals(2, json("balance", "alice", "--json").get("balances").size());
        assertEquals("user nobody has no wallets\n", ok("balance", "nobody").out());
    }

    @Test
    void historyPagesWithTheCursorItPrints() throws Exception {
        for (int i = 1; i <= 5; i++) {
            cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", i, "p" + i));
        }
        JsonNode first = json("history", "alice", "--limit", "2", "--json");
        assertEquals(
                List.of("p5", "p4"),
                List.of(
                        first.get("items").get(0).get("reference_id").asText(),
                        first.get("items").get(1).get("reference_id").asText()));
        String cursor = first.get("next_cursor").asText();
        CliRunner.Result second = ok("history", "alice", "--limit=2", "--cursor", cursor);
        assertTrue(second.out().contains(" p3 ") && second.out().contains(" p2 "), second::toString);
        String next = second.out()
                .lines()
                .filter(line -> line.startsWith("older entries: --cursor "))
                .findFirst()
                .orElseThrow()
                .substring("older entries: --cursor ".length());
        JsonNode last = json("history", "alice", "--limit", "2", "--cursor", next, "--json");
        assertEquals(1, last.get("items").size());
        assertTrue(last.get("next_cursor").isNull());
        assertTrue(fails(64, "history", "alice", "--limit", "501")
                .err()
                .startsWith("wallet: USAGE: --limit must be a whole number from 1 to 500, got '501'"));
        assertTrue(fails(64, "history", "alice", "--cursor", "garbage").err().startsWith("wallet: VALIDATION_FAILED"));
        assertEquals(
                "wallet: WALLET_NOT_FOUND: user nobody has no wallet\n",
                fails(66, "history", "nobody").err());
    }

    @Test
    void txByIdAndByReferenceShowTheSameTransaction() throws Exception {
        String id = cli.ledger()
                .topUp(Operation.topUp("alice", "GOLD_COINS", 10, "p1"))
                .transactionId()
                .toString();
        JsonNode byId = json("tx", id, "--json");
        JsonNode byReference = json("tx", "--reference", "p1", "--json");
        assertEquals(byId, byReference);
        assertEquals(id, byId.get("transaction_id").asText());
        assertFalse(byId.has("replayed"));
        assertEquals(2, byId.get("entries").size());
        assertTrue(fails(64, "tx").err().startsWith("wallet: USAGE: give either a TRANSACTION_ID or --reference REF"));
        assertTrue(fails(64, "tx", id, "--reference", "p1").err().startsWith("wallet: USAGE: give either"));
        assertTrue(fails(64, "tx", "not-a-uuid").err().startsWith("wallet: USAGE: TRANSACTION_ID must be a UUID"));
    }

    @Test
    void statsCountsPerAssetWithZeroSums() throws Exception {
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 10, "p1"));
        cli.ledger().spend(Operation.spend("alice", "GOLD_COINS", 4, "s1"));
        JsonNode stats = json("stats", "--json");
        assertTrue(stats.get("conserved").asBoolean());
        JsonNode gold = stats.get("assets").get(1);
        assertEquals("GOLD_COINS", gold.get("asset_code").asText());
        assertEquals(1, gold.get("user_wallets").asLong());
        assertEquals(2, gold.get("transactions").asLong());
        assertEquals(4, gold.get("entries").asLong());
        assertEquals(6, gold.get("user_balances").asLong());
        assertEquals(0, gold.get("sum").asLong());
    }

    @Test
    void verifyOnASoundLedgerExits0() throws Exception {
        cli.ledger().topUp(Operation.topUp("alice", "GOLD_COINS", 10, "p1"));
        assertTrue(ok("verify")
                .out()
                .startsWith("consistent: 3 assets, 22 wallets, 1 transactions, 2 entries checked in "));
        JsonNode report = json("verify", "--json");
        assertTrue(report.get("consistent").asBoolean());
        assertEquals(0, report.get("violation_count").asLong());
    }

    @Test
    void helpVersionAndUsageErrors() {
        CliRunner.Result help = ok("--help");
        assertTrue(help.out().startsWith("usage: wallet "), help::toString);
        for (Command command : Cli.COMMANDS) {
            assertTrue(
                    help.out().contains("  " + command.synopsis().name() + " "),
                    command.synopsis().name());
            String[] words = command.synopsis().name().split(" ");
            String[] args = java.util.Arrays.copyOf(words, words.length + 1);
            args[words.length] = "--help";
            assertTrue(
                    ok(args).out().startsWith("usage: " + command.synopsis().usage() + "\n"),
                    command.synopsis().name());
        }
        assertTrue(help.out().contains("  65  data: "));
        assertEquals(ok("topup", "-h").out(), ok("help", "topup").out());
        assertEquals(help.out(), ok("help").out());
        assertTrue(ok("--version").out().matches("wallet \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"));

        assertEquals(
                "wallet: USAGE: missing COMMAND\nusage: " + "wallet [--database-url URL | --data-dir DIR] "
                        + "[--schema NAME] [--json] COMMAND [ARGS]\nTry 'wallet --help'.\n",
                fails(64).err());
        assertTrue(
                fails(64, "topupp").err().startsWith("wallet: USAGE: unknown command 'topupp'; did you mean topup?"));
        assertTrue(fails(64, "assets").err().startsWith("wallet: USAGE: wallet assets needs a subcommand"));
        assertTrue(fails(64, "assets", "remove").err().startsWith("wallet: USAGE: wallet assets needs a subcommand"));
        assertTrue(fails(64, "balance").err().startsWith("wallet: USAGE: missing USER\nusage: wallet balance USER"));
        assertTrue(fails(64, "balance", "a", "b").err().startsWith("wallet: USAGE: unexpected argument 'b'\n"));
        assertTrue(fails(64, "balance", "a", "—asset", "X")
                .err()
                .startsWith("wallet: USAGE: unexpected argument"
                        + " '—asset' (options start with two hyphens, --, not a dash)\n"));
        assertTrue(fails(64, "stats", "--asset", "X").err().startsWith("wallet: USAGE: unknown option '--asset'"));
        assertTrue(fails(64, "--json", "stats", "--json=1").err().startsWith("wallet: USAGE: --json takes no value"));
        assertTrue(fails(64, "--schema", "a", "stats", "--schema", "b")
                .err()
                .startsWith("wallet: USAGE: --schema is given twice"));
        assertTrue(cli.targets.isEmpty(), "no usage error or help connects to the database");
    }

    @Test
    void optionsBeforeOrAfterTheCommandAndTheDatabaseTarget() {
        ok("--data-dir", "/srv/ledger", "--schema", "books", "stats");
        ok("stats", "--database-url", "postgresql://u@h/db");
        assertEquals(
                new Database.Target(Optional.empty(), "DATABASE_URL", Path.of("/srv/ledger"), "books", false),
                cli.targets.get(0));
        assertEquals("--database-url", cli.targets.get(1).databaseUrlFrom());
        assertEquals(Optional.of("postgresql://u@h/db"), cli.targets.get(1).databaseUrl());
        assertEquals(Path.of("wallet-data"), cli.targets.get(1).dataDirectory());
        assertEquals("wallet", cli.targets.get(1).schema());
    }

    @Test
    void commandOptionsGoBeforeTheCommandToo() {
        cli.ledger().topUp(Operation.topUp("p2", "GOLD_COINS", 5, "r1"));
        String after = ok("balance", "p2", "--asset", "GOLD_COINS").out();
        assertEquals(after, ok("--asset=GOLD_COINS", "balance", "p2").out());
        assertEquals(after, ok("--asset", "GOLD_COINS", "balance", "p2").out());
        assertEquals(after, ok("--asset", "GOLD_COINS", "--", "balance", "p2").out());
        assertTrue(ok("--json", "--limit", "1", "history", "p2").out().startsWith("{\"user_id\":\"p2\""));
        assertTrue(fails(64, "--amount", "1", "stats").err().startsWith("wallet: USAGE: unknown option '--amount'"));
        assertTrue(fails(64, "--asset", "X").err().startsWith("wallet: USAGE: missing COMMAND"));
    }

    @Test
    void aTwoWordCommandsFirstWordAloneNamesItsSubcommands() {
        assertTrue(fails(64, "keys").err().startsWith("wallet: USAGE: wallet keys needs a subcommand: generate\n"));
        assertTrue(fails(64, "keys", "make")
                .err()
                .startsWith("wallet: USAGE: wallet keys needs a subcommand: generate, got 'make'"));
        assertTrue(
                fails(64, "assets").err().startsWith("wallet: USAGE: wallet assets needs a subcommand: list or add"));
    }

    @Test
    void databaseUrlComesFromTheEnvironmentUnlessGiven() {
        try (CliRunner withEnvironment = new CliRunner(Map.of("DATABASE_URL", "postgresql://env/db"), false)) {
            assertEquals(0, withEnvironment.run("stats").exitCode());
            assertEquals(
                    0,
                    withEnvironment
                            .run("stats", "--database-url=postgresql://flag/db")
                            .exitCode());
            assertEquals(
                    Optional.of("postgresql://env/db"),
                    withEnvironment.targets.get(0).databaseUrl());
            assertEquals(
                    Optional.of("postgresql://flag/db"),
                    withEnvironment.targets.get(1).databaseUrl());
        }
    }
}
