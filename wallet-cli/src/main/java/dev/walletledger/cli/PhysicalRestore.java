package dev.walletledger.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.WalArchive;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Restores a physical backup into a new directory and recovers it: the WAL the backup holds, then the
 * archive's up to the target (a time, a restore point marked by {@code wallet anchor}, or the archive's
 * end), then the audit. The embedded PostgreSQL's binaries run it by default (the directory becomes a
 * {@code WALLET_DATA_DIR}); with {@code pgBin}, those binaries run it (the directory becomes a PGDATA).
 */
final class PhysicalRestore {
    /** Recovery of a long archive can take a while; it must still end. */
    private static final long RECOVERY_MINUTES_MAX = 6 * 60;

    private static final String BLOCK = "# wallet restore: recovery settings, reset once recovery ends";

    /** Where to stop: at most one of time and restore point; neither: the end of the WAL available. */
    record Target(Optional<Instant> time, Optional<String> restorePoint) {
        String describe() {
            return time.map(t -> "time " + t)
                    .or(() -> restorePoint.map(p -> "restore point " + p))
                    .orElse("the end of the WAL available");
        }
    }

    /** How to run PostgreSQL on the restored directory. */
    record Runner(Optional<Path> pgBin, Optional<String> osUser) {}

    record Restored(AuditReport report, long recoveryMillis, long copyMillis, Path directory) {}

    private PhysicalRestore() {}

    static Path restoreName(Anchor anchor) {
        return Path.of("wallet-anchor-" + anchor.entryId());
    }

    /**
     * @param backup  a directory {@code wallet backup} wrote
     * @param into    a directory that does not exist or is empty
     * @param archive the WAL archive, or null: only the WAL the backup holds
     */
    static Restored run(
            Path backup,
            Path into,
            Path archive,
            Target target,
            Optional<Anchor> anchor,
            String schema,
            Runner runner,
            PrintStream notices)
            throws IOException, SQLException {
        requirePlainPath("--data-dir", into);
        if (archive != null) {
            requirePlainPath("--wal-archive", archive);
        }
        long started = System.nanoTime();
        Path data = runner.pgBin().isPresent() ? into : into.resolve("postgres");
        copy(backup.resolve("data"), data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(data.resolve("wallet-archive.conf")); // the restored ledger does not archive yet
        Files.deleteIfExists(data.resolve("backup_manifest"));
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        if (!Files.exists(data.resolve("postgresql.conf"))) {
            // A packaged server keeps it elsewhere (Debian: /etc/postgresql): the defaults serve the restore.
            Files.writeString(data.resolve("postgresql.conf"), "# written by wallet restore\n", StandardCharsets.UTF_8);
        }
        Files.writeString(data.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        Files.writeString(
                data.resolve("postgresql.auto.conf"),
                recoverySettings(archive, target),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        if (runner.osUser().isPresent()) {
            Processes.run(
                    List.of("chown", "-R", runner.osUser().get(), into.toString()), Optional.empty(), Map.of(), 600);
        }
        long copied = System.nanoTime();
        notices.println("wallet: recovering to " + target.describe());
        if (runner.pgBin().isEmpty()) {
            Files.writeString(into.resolve("initialized"), "PostgreSQL data directory initialized\n");
            try (EmbeddedDatabase embedded =
                    EmbeddedDatabase.startOrAttach(into, n -> notices.println("wallet: " + n), WalArchive.OFF)) {
                return finish(
                        embedded.jdbcUrl() + "?user=" + embedded.user(), data, schema, anchor, started, copied, into);
            } catch (IllegalStateException | java.io.UncheckedIOException | SQLException e) {
                throw failed(target, archive, e.getMessage(), into);
            }
        }
        int port = freePort();
        Path bin = runner.pgBin().get();
        Path hba = into.resolveSibling(into.getFileName() + ".restore-hba.conf");
        Files.writeString(hba, "host all all 127.0.0.1/32 trust\n", StandardCharsets.UTF_8);
        if (runner.osUser().isPresent()) {
            Processes.run(List.of("chown", runner.osUser().get(), hba.toString()), Optional.empty(), Map.of(), 10);
        }
        Path log = into.resolveSibling(into.getFileName() + ".restore.log");
        try {
            Processes.run(
                    List.of(
                            bin.resolve("pg_ctl").toString(),
                            "-D",
                            into.toString(),
                            "-l",
                            log.toString(),
                            "-w",
                            "-t",
                            Long.toString(TimeUnit.MINUTES.toSeconds(RECOVERY_MINUTES_MAX)),
                            "-o",
                            "-p " + port
                                    + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c archive_mode=off"
                                    + " -c hba_file=" + hba,
                            "start"),
                    runner.osUser(),
                    Map.of(),
                    RECOVERY_MINUTES_MAX * 60);
        } catch (IllegalStateException e) {
            throw failed(target, archive, e.getMessage() + "; PostgreSQL's log: " + tail(log), into);
        }
        try {
            return finish(
                    "jdbc:postgresql://127.0.0.1:" + port + "/" + database(backup) + "?user=" + user(backup),
                    data,
                    schema,
                    anchor,
                    started,
                    copied,
                    into);
        } catch (IllegalStateException | SQLException e) {
            throw failed(target, archive, e.getMessage() + "; PostgreSQL's log: " + tail(log), into);
        } finally {
            try {
                Processes.run(
                        List.of(bin.resolve("pg_ctl").toString(), "-D", into.toString(), "-m", "fast", "-w", "stop"),
                        runner.osUser(),
                        Map.of(),
                        120);
            } catch (IllegalStateException stopped) {
                // already down (recovery gave up): the failure above says why
            }
            Files.deleteIfExists(hba);
        }
    }

    private static Restored finish(
            String jdbcUrl, Path data, String schema, Optional<Anchor> anchor, long started, long copied, Path into)
            throws SQLException {
        try (HikariDataSource pool = DataSources.pool(jdbcUrl, null, null, 2, "wallet-restore")) {
            awaitPromotion(pool);
            long recovered = System.nanoTime();
            forgetRecoverySettings(data);
            try (Ledger ledger = new Ledger(pool, LedgerConfig.defaults().withSchema(schema))) {
                AuditReport report =
                        anchor.isPresent() ? ledger.verify(anchor.get(), AuditProgress.NONE) : ledger.verify();
                return new Restored(
                        report,
                        TimeUnit.NANOSECONDS.toMillis(recovered - copied),
                        TimeUnit.NANOSECONDS.toMillis(copied - started),
                        into);
            }
        }
    }

    /**
     * Removes the recovery block from {@code postgresql.auto.conf} once recovery is over (no privilege
     * needed, unlike ALTER SYSTEM; PostgreSQL reads the file at its next start or reload).
     */
    private static void forgetRecoverySettings(Path data) {
        Path auto = data.resolve("postgresql.auto.conf");
        try {
            String text = Files.readString(auto, StandardCharsets.UTF_8);
            int block = text.indexOf("\n" + BLOCK);
            if (block >= 0) {
                Files.writeString(auto, text.substring(0, block + 1), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not remove the recovery settings from " + auto + ": " + e, e);
        }
    }

    /** Paths that go into PostgreSQL's settings and its shell commands: plain characters only. */
    private static void requirePlainPath(String option, Path path) {
        String text = path.toAbsolutePath().toString();
        if (!text.matches("[A-Za-z0-9._/+=@:,-]+")) {
            throw new UsageException(option + " must be a path of letters, digits and ._/+=@:,- only (it goes into"
                    + " PostgreSQL's settings and commands), got " + text);
        }
    }

    /** Recovery ends with a promotion (recovery_target_action = promote): wait for it, bounded. */
    private static void awaitPromotion(HikariDataSource pool) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(RECOVERY_MINUTES_MAX);
        while (true) {
            try (Connection connection = pool.getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                row.next();
                if (!row.getBoolean(1)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("recovery did not end within " + RECOVERY_MINUTES_MAX + " minutes");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recovering", e);
            }
        }
    }

    private static String recoverySettings(Path archive, Target target) {
        StringBuilder settings = new StringBuilder("\n" + BLOCK + "\n");
        // Without an archive, a command that finds nothing: recovery then replays the backup's own WAL.
        settings.append("restore_command = '")
                .append(archive == null ? "false" : "cp \"" + archive.toAbsolutePath() + "/%f\" \"%p\"")
                .append("'\n");
        target.time()
                .ifPresent(t -> settings.append("recovery_target_time = '")
                        .append(postgresTime(t))
                        .append("'\n"));
        target.restorePoint()
                .ifPresent(p ->
                        settings.append("recovery_target_name = '").append(p).append("'\n"));
        settings.append("recovery_target_action = 'promote'\n");
        return settings.toString();
    }

    /**
     * PostgreSQL's timestamps have microseconds: a finer T is rounded up, so that everything committed
     * before T is still at or before the target.
     */
    static String postgresTime(Instant t) {
        Instant micros = t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        if (micros.isBefore(t)) {
            micros = micros.plus(1, java.time.temporal.ChronoUnit.MICROS);
        }
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                        .withZone(java.time.ZoneOffset.UTC)
                        .format(micros)
                + "+00";
    }

    private static CommandFailure failed(Target target, Path archive, String why, Path into) {
        String newest = "none";
        if (archive != null && Files.isDirectory(archive)) {
            try (Stream<Path> files = Files.list(archive)) {
                newest = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches("[0-9A-F]{24}"))
                        .max(String::compareTo)
                        .orElse("none");
            } catch (IOException ignored) {
                // the message below says what is known
            }
        }
        return new CommandFailure(
                FailureCode.RECOVERY_FAILED,
                "recovery to " + target.describe() + " did not complete: " + why + ". A target past the archive's"
                        + " end (newest archived WAL file: " + newest + "), before the backup's end, or a restore"
                        + " point the WAL does not hold stops recovery. " + into + " is left as it is: remove it"
                        + " before trying again",
                Map.of("data_directory", into.toString()));
    }

    private static void copy(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            Path target = to.resolve(from.relativize(path).toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(target);
            } else {
                Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static String database(Path backup) throws IOException {
        return Manifest.read(backup).text("database");
    }

    private static String user(Path backup) throws IOException {
        return Manifest.read(backup).text("database_user");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a command (as {@code osUser} when given), bounded; throws with its output when it fails. */
    static void run(List<String> command, Optional<String> osUser, long secondsMax) {
        Processes.run(command, osUser, Map.of(), secondsMax);
    }
}
