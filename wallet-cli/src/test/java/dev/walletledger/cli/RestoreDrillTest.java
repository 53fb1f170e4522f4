package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Batch;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.WalArchive;
import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill: a ledger under mixed writes, backed up while they run, written on with WAL archiving
 * on; then an anchor and a moment T; then a mistake (a large wrong adjustment) after T. Restored to T, the
 * ledger passes the audit and the anchor check, holds every operation acknowledged before T, and not the
 * mistake. Also restored to the anchor's restore point, refused over an existing directory, and moved
 * through a logical dump. Run on the embedded PostgreSQL and on Debian's PostgreSQL 15.
 *
 * <p>{@code -Dwallet.drill.transactions=N} preloads N transactions first (the figures for a large ledger:
 * backup time and size, restore time).
 */
class RestoreDrillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MILLIS = 60_000;
    private static final String ASSET = "GOLD_COINS";

    @TempDir
    Path temp;

    /** The acknowledged operations, with the moment each answer came back. */
    private record Acked(String reference, Instant at) {}

    @Test
    void embeddedLedgerRestoresToAMomentAndToAnAnchor() throws Exception {
        TestDatabase.assumeOwnServers();
        Path ledgerDir = temp.resolve("ledger");
        Path archive = temp.resolve("archive");
        try (EmbeddedDatabase embedded =
                        EmbeddedDatabase.startOrAttach(ledgerDir, n -> {}, WalArchive.to(archive, 1L << 32));
                HikariDataSource pool = DataSources.pool(embedded.jdbcUrl(), embedded.user(), null, 8, "drill")) {
            List<String> target = List.of("--data-dir", ledgerDir.toString());
            Drill drill = new Drill("embedded", pool, target, archive, temp);
            drill.run(Map.of(), List.of());
        }
    }

    @Test
    void debianPostgres15RestoresToAMomentAndToAnAnchor() throws Exception {
        TestDatabase.assumeOwnServers();
        Path bin = Path.of("/usr/lib/postgresql/15/bin");
        assumeTrue(
                Files.isExecutable(bin.resolve("pg_basebackup")) && "root".equals(System.getProperty("user.name")),
                "Debian's PostgreSQL 15, and root (to run it as postgres), are needed");
        Path root = Files.createTempDirectory(Path.of("/tmp"), "wallet-drill-pg15-");
        Path archive = root.resolve("archive");
        try (DebianServer server = DebianServer.start(root, bin, archive);
                HikariDataSource pool = DataSources.pool(server.url(), null, null, 8, "drill")) {
            Drill drill = new Drill("debian-15", pool, List.of("--database-url", server.url()), archive, root);
            drill.run(Map.of(), List.of("--pg-bin", bin.toString(), "--os-user", "postgres"));
        } finally {
            command(List.of("rm", "-rf", root.toString()), Optional.empty(), 60);
        }
    }

    /** One drill against one database; {@code target} names it on the CLI's command line. */
    private final class Drill {
        final String name;
        final HikariDataSource pool;
        final List<String> target;
        final Path archive;
        final Path work;
        final long seed = Seeds.seed("RestoreDrillTest");

        Drill(String name, HikariDataSource pool, List<String> target, Path archive, Path work) {
            this.work = work;
            this.name = name;
            this.pool = pool;
            this.target = target;
            this.archive = archive;
        }

        void run(Map<String, String> environment, List<String> restoreOptions) throws Exception {
            LedgerConfig config = LedgerConfig.defaults();
            Ledger.migrate(pool, config);
            try (Ledger ledger = new Ledger(pool, config)) {
                for (Asset asset : Asset.STARTERS) {
                    ledger.addAsset(asset);
                }
                preload(ledger, Long.getLong("wallet.drill.transactions", 0));
                ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                ExecutorService writers = Executors.newFixedThreadPool(3);
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    Random random = new Random(seed + w);
                    int writer = w;
                    running.add(writers.submit(() -> write(ledger, writer, random, stop, acked)));
                }
                try {
                    awaitAcked(acked, 100);
                    CliRunner.Result anchoredEarly =
                            cli(environment, concat(List.of("anchor", "--json"), target, List.of()));
                    assertEquals(0, anchoredEarly.exitCode(), anchoredEarly::toString);
                    String earlyAnchor =
                            JSON.readTree(anchoredEarly.out()).get("anchor").asText();
                    awaitAcked(acked, 200);
                    CliRunner.Result backup = cli(
                            environment,
                            concat(
                                    List.of(
                                            "backup",
                                            "--to",
                                            work.resolve(name + "-backup").toString(),
                                            "--json"),
                                    target,
                                    restoreOptions.isEmpty() ? List.of() : restoreOptions.subList(0, 2)));
                    assertEquals(0, backup.exitCode(), backup::toString);
                    JsonNode manifest = JSON.readTree(backup.out());
                    long ackedAtBackup = acked.size();
                    awaitAcked(acked, ackedAtBackup + 200);

                    CliRunner.Result anchored =
                            cli(environment, concat(List.of("anchor", "--json"), target, List.of()));
                    assertEquals(0, anchored.exitCode(), anchored::toString);
                    String anchor = JSON.readTree(anchored.out()).get("anchor").asText();
                    assertEquals(
                            "wallet-anchor-" + anchor.split("\\.")[1],
                            JSON.readTree(anchored.out()).get("restore_point").asText());
                    Thread.sleep(5);
                    Instant t = Instant.now();
                    Thread.sleep(5);
                    List<String> beforeT = acked.stream()
                            .filter(a -> a.at().isBefore(t))
                            .map(Acked::reference)
                            .toList();
                    awaitAcked(acked, acked.size() + 100); // writes go on after T
                    ledger.adjust(
                            new Operation.Adjustment(
                                    "drill-0-0",
                                    ASSET,
                                    Direction.CREDIT,
                                    1_000_000_000L,
                                    "drill-mistake",
                                    "a wrong adjustment",
                                    Metadata.empty()),
                            "drill");
                    stop.set(true);
                    for (Future<?> writer : running) {
                        writer.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    }
                    archiveCurrentWal();

                    Path restored = work.resolve(name + "-restored");
                    CliRunner.Result restore = restore(
                            environment,
                            restoreOptions,
                            restored,
                            "--wal-archive",
                            archive.toString(),
                            "--to-time",
                            t.toString(),
                            "--anchor",
                            anchor,
                            "--json");
                    assertEquals(0, restore.exitCode(), restore::toString);
                    JsonNode restoredReport = JSON.readTree(restore.out());
                    assertTrue(restoredReport.get("consistent").asBoolean(), restore::toString);
                    assertTrue(restoredReport.get("anchor").get("matches").asBoolean(), restore::toString);
                    assertEquals(
                            anchor, restoredReport.get("anchor").get("line").asText(), restore::toString);
                    Contents contents = contents(restored, restoreOptions, beforeT);
                    System.out.println("RestoreDrill " + name + " seed=" + seed + ": " + acked.size()
                            + " operations acknowledged (" + beforeT.size() + " before T); backup "
                            + manifest.get("elapsed_millis") + " ms, " + manifest.get("bytes") + " bytes, "
                            + manifest.get("files") + " files, WAL " + manifest.get("start_lsn") + ".."
                            + manifest.get("stop_lsn") + "; restore to T: copy " + restoredReport.get("copy_millis")
                            + " ms, recovery " + restoredReport.get("recovery_millis") + " ms, audit "
                            + restoredReport.get("audit_millis") + " ms of "
                            + restoredReport.get("transactions") + " transactions consistent; lost before T: "
                            + contents.lost().size() + "; the mistake present: " + contents.mistake());
                    assertEquals(List.of(), contents.lost(), "every operation acknowledged before T is restored");
                    assertFalse(contents.mistake(), "the mistake after T is not restored");

                    CliRunner.Result again =
                            restore(environment, restoreOptions, restored, "--wal-archive", archive.toString());
                    assertEquals(65, again.exitCode(), again::toString);
                    assertTrue(again.err().contains("TARGET_EXISTS"), again::toString);

                    Path toAnchor = work.resolve(name + "-anchor");
                    CliRunner.Result anchorRestore = restore(
                            environment,
                            restoreOptions,
                            toAnchor,
                            "--wal-archive",
                            archive.toString(),
                            "--to-anchor",
                            anchor,
                            "--json");
                    assertEquals(0, anchorRestore.exitCode(), anchorRestore::toString);
                    assertFalse(contents(toAnchor, restoreOptions, List.of()).mistake());

                    // Recovery replays forward from the backup's end: a target before it is refused, naming the
                    // backup's time range, and nothing is written.
                    Instant dayBefore =
                            Instant.parse(manifest.get("started_at").asText()).minusSeconds(86_400);
                    Path early = work.resolve(name + "-early");
                    CliRunner.Result tooEarly = restore(
                            environment,
                            restoreOptions,
                            early,
                            "--wal-archive",
                            archive.toString(),
                            "--to-time",
                            dayBefore.toString());
                    assertEquals(65, tooEarly.exitCode(), tooEarly::toString);
                    assertTrue(tooEarly.err().startsWith("wallet: TARGET_BEFORE_BACKUP: "), tooEarly::toString);
                    assertTrue(
                            tooEarly.err().contains(manifest.get("started_at").asText())
                                    && tooEarly.err()
                                            .contains(manifest.get("stopped_at").asText()),
                            tooEarly::toString);
                    assertFalse(Files.exists(early), "nothing was written");
                    CliRunner.Result olderAnchor = restore(
                            environment,
                            restoreOptions,
                            early,
                            "--wal-archive",
                            archive.toString(),
                            "--to-anchor",
                            earlyAnchor);
                    assertEquals(65, olderAnchor.exitCode(), olderAnchor::toString);
                    assertTrue(olderAnchor.err().startsWith("wallet: TARGET_BEFORE_BACKUP: "), olderAnchor::toString);
                    assertFalse(Files.exists(early), "nothing was written");

                    Path version =
                            work.resolve(name + "-backup").resolve("data").resolve("PG_VERSION");
                    Files.writeString(version, "9\n", StandardOpenOption.APPEND); // a damaged backup
                    CliRunner.Result damaged = restore(environment, restoreOptions, work.resolve(name + "-damaged"));
                    assertEquals(65, damaged.exitCode(), damaged::toString);
                    assertTrue(
                            damaged.err().contains("BACKUP_DAMAGED: the backup's data/PG_VERSION"), damaged::toString);
                    assertFalse(Files.exists(work.resolve(name + "-damaged")), "nothing was written");
                } finally {
                    stop.set(true);
                    writers.shutdownNow();
                }
                if (restoreOptions.isEmpty()) {
                    logical(environment, ledger);
                }
            }
        }

        /** {@code wallet restore} of this drill's backup into {@code into}, with {@code extra} options. */
        private CliRunner.Result restore(
                Map<String, String> environment, List<String> restoreOptions, Path into, String... extra) {
            List<String> args = new ArrayList<>(List.of(
                    "restore", "--from", work.resolve(name + "-backup").toString(), "--data-dir", into.toString()));
            args.addAll(List.of(extra));
            args.addAll(restoreOptions);
            return cli(environment, args);
        }

        /** A dump of the live ledger loaded into a new embedded one: consistent, the dump's anchor proven. */
        private void logical(Map<String, String> environment, Ledger ledger) throws IOException {
            Path dump = work.resolve(name + ".dump");
            CliRunner.Result backup = cli(
                    environment, concat(List.of("backup", "--logical", "--to", dump.toString()), target, List.of()));
            assertEquals(0, backup.exitCode(), backup::toString);
            CliRunner.Result restore = cli(
                    environment,
                    List.of(
                            "restore",
                            "--logical",
                            "--from",
                            dump.toString(),
                            "--data-dir",
                            work.resolve(name + "-logical").toString(),
                            "--json"));
            assertEquals(0, restore.exitCode(), restore::toString);
            JsonNode report = JSON.readTree(restore.out());
            assertEquals(
                    ledger.stats().assets().stream()
                            .mapToLong(a -> a.transactions())
                            .sum(),
                    report.get("transactions").asLong(),
                    restore::toString);
            CliRunner.Result text = cli(
                    environment,
                    List.of(
                            "restore",
                            "--logical",
                            "--from",
                            dump.toString(),
                            "--data-dir",
                            work.resolve(name + "-logical-text").toString()));
            assertEquals(0, text.exitCode(), text::toString);
            List<String> lines = text.out().lines().toList();
            assertTrue(lines.get(0).startsWith("loaded rows: asset_types 3, wallets "), text::toString);
            assertTrue(lines.get(1).startsWith("load millis: "), text::toString);
            assertTrue(
                    lines.get(2).startsWith("anchor checked: history up to entry ")
                            && lines.get(3).startsWith("consistent: "),
                    text::toString);
            System.out.println("RestoreDrill " + name + " logical: " + Files.size(dump) + " bytes, loaded in "
                    + report.get("load_millis") + " ms, " + report.get("transactions") + " transactions consistent");
        }

        private void preload(Ledger ledger, long transactions) {
            long started = System.nanoTime();
            for (long done = 0; done < transactions; ) {
                List<Operation> batch = new ArrayList<>();
                for (int i = 0; i < 1_000 && done < transactions; i++, done++) {
                    batch.add(Operation.topUp("pre-" + done % 10_000, ASSET, 1 + done % 97, "pre-" + done));
                }
                ledger.submit(Batch.independent(batch));
            }
            if (transactions > 0) {
                System.out.println("RestoreDrill " + name + ": preloaded " + transactions + " transactions in "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
            }
        }

        private Void write(
                Ledger ledger, int writer, Random random, AtomicBoolean stop, ConcurrentLinkedQueue<Acked> acked) {
            List<TransactionResult> mine = new ArrayList<>();
            for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                String user = "drill-" + writer + "-" + random.nextInt(8);
                String reference = "drill-" + writer + "-op-" + i;
                try {
                    TransactionResult result = switch (random.nextInt(5)) {
                        case 0, 1 -> ledger.topUp(Operation.topUp(user, ASSET, 1 + random.nextInt(500), reference));
                        case 2 -> ledger.spend(Operation.spend(user, ASSET, 1 + random.nextInt(200), reference));
                        case 3 ->
                            ledger.transfer(new Operation.Transfer(
                                    user,
                                    "drill-" + writer + "-" + (8 + random.nextInt(4)),
                                    ASSET,
                                    1 + random.nextInt(100),
                                    reference,
                                    Metadata.empty()));
                        default ->
                            mine.isEmpty()
                                    ? ledger.grantBonus(Operation.bonus(user, ASSET, 1 + random.nextInt(50), reference))
                                    : ledger.reverse(new Operation.Reversal(
                                            mine.get(random.nextInt(mine.size()))
                                                    .transactionId(),
                                            reference,
                                            OptionalLong.of(1),
                                            "drill",
                                            Metadata.empty()));
                    };
                    acked.add(new Acked(reference, Instant.now()));
                    if (result.type() == dev.walletledger.core.OperationType.TOPUP) {
                        mine.add(result);
                    }
                } catch (WalletException refused) {
                    // funds short, nothing left to reverse: refused operations are not part of the drill
                }
            }
            return null;
        }

        /** Switches to a new WAL file and waits until the one holding the last writes is archived. */
        private void archiveCurrentWal() throws SQLException, InterruptedException {
            String file;
            try (Connection connection = pool.getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                row.next();
                file = row.getString(1);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (!Files.exists(archive.resolve(file))) {
                assertTrue(System.nanoTime() < deadline, "WAL file " + file + " was not archived");
                Thread.sleep(50);
            }
        }

        private Contents contents(Path restored, List<String> restoreOptions, List<String> expected) throws Exception {
            if (restoreOptions.isEmpty()) {
                try (EmbeddedDatabase embedded = EmbeddedDatabase.startOrAttach(restored);
                        HikariDataSource restoredPool =
                                DataSources.pool(embedded.jdbcUrl(), embedded.user(), null, 2, "drill-restored")) {
                    return Contents.of(restoredPool, expected);
                }
            }
            try (DebianServer server = DebianServer.attach(restored, Path.of(restoreOptions.get(1)));
                    HikariDataSource restoredPool = DataSources.pool(server.url(), null, null, 2, "drill-restored")) {
                return Contents.of(restoredPool, expected);
            }
        }
    }

    /** What a restored ledger holds of the references expected, and whether the mistake is there. */
    private record Contents(List<String> lost, boolean mistake) {
        static Contents of(HikariDataSource pool, List<String> expected) {
            try (Ledger ledger = new Ledger(pool, LedgerConfig.defaults())) {
                List<String> lost = new ArrayList<>();
                for (String reference : expected) {
                    if (ledger.transactionByReference(reference).isEmpty()) {
                        lost.add(reference);
                    }
                }
                return new Contents(
                        lost, ledger.transactionByReference("drill-mistake").isPresent());
            }
        }
    }

    private static void awaitAcked(ConcurrentLinkedQueue<Acked> acked, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (acked.size() < count) {
            assertTrue(System.nanoTime() < deadline, "the writers did not reach " + count + " operations");
            Thread.sleep(10);
        }
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    private static CliRunner.Result cli(Map<String, String> environment, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = new Cli(new PostgresConnector(stderr), environment, false, System::nanoTime)
                    .run(args.toArray(new String[0]), stdout, stderr);
        }
        CliRunner.Result result = new CliRunner.Result(
                exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(result.err().contains("\tat "), () -> "a stack trace: " + result);
        return result;
    }

    /**
     * Debian's PostgreSQL 15 as a user runs it: as the postgres user, durable, archiving its WAL with the
     * archive_command the Backups section shows.
     */
    private record DebianServer(Path data, Path bin, int port) implements AutoCloseable {
        static DebianServer start(Path root, Path bin, Path archive) throws IOException {
            Path data = root.resolve("data");
            Files.createDirectories(archive);
            command(List.of("chown", "-R", "postgres:postgres", root.toString()), Optional.empty(), 10);
            command(
                    List.of(
                            bin.resolve("initdb").toString(),
                            "-D",
                            data.toString(),
                            "-A",
                            "trust",
                            "-U",
                            "postgres",
                            "--no-instructions"),
                    Optional.of("postgres"),
                    120);
            Files.writeString(
                    data.resolve("postgresql.conf"),
                    "\narchive_mode = on\narchive_command = 'test ! -f " + archive + "/%f && cp %p " + archive
                            + "/%f.tmp && sync " + archive + "/%f.tmp && mv " + archive + "/%f.tmp " + archive
                            + "/%f'\narchive_timeout = 300\nlisten_addresses = '127.0.0.1'\n"
                            + "unix_socket_directories = ''\n",
                    StandardOpenOption.APPEND);
            DebianServer server = new DebianServer(data, bin, freePort());
            server.startServer("");
            return server;
        }

        /** Starts a restored PGDATA (owned by postgres) to read it. */
        static DebianServer attach(Path data, Path bin) throws IOException {
            DebianServer server = new DebianServer(data, bin, freePort());
            server.startServer(" -c archive_mode=off");
            return server;
        }

        void startServer(String options) {
            command(
                    List.of(
                            bin.resolve("pg_ctl").toString(),
                            "-D",
                            data.toString(),
                            "-l",
                            data.resolveSibling(data.getFileName() + ".log").toString(),
                            "-o",
                            "-p " + port + " -c listen_addresses=127.0.0.1" + options,
                            "-w",
                            "start"),
                    Optional.of("postgres"),
                    120);
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        }

        @Override
        public void close() {
            command(
                    List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"),
                    Optional.of("postgres"),
                    60);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a program (as {@code user} through runuser, when given), bounded; fails with its output. */
    private static void command(List<String> command, Optional<String> user, long secondsMax) {
        List<String> full = new ArrayList<>();
        user.ifPresent(u -> full.addAll(List.of("runuser", "-u", u, "--")));
        full.addAll(command);
        try {
            Path output = Files.createTempFile("drill-command-", ".log");
            Process process = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(secondsMax, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(full + " did not finish within " + secondsMax + " s");
            }
            String text = Files.readString(output);
            Files.deleteIfExists(output);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(full + " exited " + process.exitValue() + ": " + text);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
