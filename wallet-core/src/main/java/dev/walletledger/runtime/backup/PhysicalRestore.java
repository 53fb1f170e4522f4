package dev.walletledger.runtime.backup;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.WalArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Restores a physical backup into a new directory and recovers it: the WAL the backup holds, then the
 * archive's up to the target (a time, a restore point marked by an anchor, or the archive's end), then the
 * audit. The embedded PostgreSQL's binaries run it by default (the directory becomes a wallet data
 * directory); with a PostgreSQL installation's binaries, those run it (the directory becomes a PGDATA).
 */
final class PhysicalRestore {
    /** Recovery of a long archive can take a while; it must still end. */
    private static final long RECOVERY_MINUTES_MAX = 6 * 60;

    private static final String BLOCK = "# wallet restore: recovery settings, reset once recovery ends";

    private PhysicalRestore() {}

    static Backups.Restored run(Backups.RestoreRequest request, Consumer<String> notices) {
        requireNew(request.into());
        request.walArchive().ifPresent(archive -> {
            if (!Files.isDirectory(archive)) {
                throw new BackupException(
                        BackupError.ARCHIVE_NOT_FOUND,
                        "no WAL archive at " + archive,
                        Map.of("wal_archive", archive.toString()));
            }
        });
        BackupManifest manifest = BackupManifest.read(request.from());
        checkFiles(request.from(), manifest);
        refuseTargetsBefore(manifest, request);
        requirePlainPath("--data-dir", request.into());
        request.walArchive().ifPresent(archive -> requirePlainPath("--wal-archive", archive));
        try {
            long started = System.nanoTime();
            Path data = request.pgBin().isPresent() ? request.into() : EmbeddedDatabase.pgData(request.into());
            prepare(request, data);
            long copied = System.nanoTime();
            notices.accept("recovering to " + request.describeTarget());
            String schema = request.schema().orElse(manifest.schema());
            AuditReport report = request.pgBin().isEmpty()
                    ? recoverEmbedded(request, data, schema, notices)
                    : recoverInstalled(request, manifest, data, schema);
            long recovered = System.nanoTime();
            return new Backups.Restored(
                    report,
                    TimeUnit.NANOSECONDS.toMillis(copied - started),
                    TimeUnit.NANOSECONDS.toMillis(recovered - copied),
                    request.into(),
                    request.describeTarget());
        } catch (IOException e) {
            throw new BackupException(BackupError.RESTORE_FAILED, "the restore failed: " + e, Map.of(), e);
        }
    }

    /**
     * Recovery replays forward from a backup's end, never back from it: a time before the end, or an anchor older
     * than the one the backup recorded when it began, would silently give the backup's later state.
     */
    private static void refuseTargetsBefore(BackupManifest manifest, Backups.RestoreRequest request) {
        Instant end = manifest.end();
        if (request.toTime().isPresent() && request.toTime().get().isBefore(end)) {
            throw new BackupException(
                    BackupError.TARGET_BEFORE_BACKUP,
                    "--to-time " + request.toTime().get() + " is before this backup's end: it was taken "
                            + manifest.timeRange() + ", and recovery cannot stop before that. Give a time at or after "
                            + end + ", or restore an older backup",
                    Map.of("to_time", request.toTime().get().toString(), "backup_end", end.toString()));
        }
        long recorded = manifest.anchor().entryId();
        if (request.toAnchor().isPresent() && request.toAnchor().get().entryId() < recorded) {
            throw new BackupException(
                    BackupError.TARGET_BEFORE_BACKUP,
                    "--to-anchor names entry " + request.toAnchor().get().entryId()
                            + ", older than this backup, which began at entry " + recorded + " (taken "
                            + manifest.timeRange() + "): restore an older backup",
                    Map.of(
                            "anchor_entry", request.toAnchor().get().entryId(),
                            "backup_anchor_entry", recorded,
                            "backup_end", end.toString()));
        }
    }

    /** Every file the backup lists, with its checksum: a damaged backup is refused before anything starts. */
    private static void checkFiles(Path backup, BackupManifest manifest) {
        try {
            Path sums = backup.resolve(PhysicalBackup.SUMS);
            if (!Files.isRegularFile(sums) || !PhysicalBackup.sha256(sums).equals(manifest.sumsSha256())) {
                throw new BackupException(
                        BackupError.BACKUP_DAMAGED,
                        "the backup's " + PhysicalBackup.SUMS + " is missing or is not the one its manifest names",
                        Map.of("file", PhysicalBackup.SUMS));
            }
            for (String line : Files.readAllLines(sums)) {
                String hash = line.substring(0, 64);
                String path = line.substring(66);
                Path file = backup.resolve(path);
                if (!Files.isRegularFile(file) || !PhysicalBackup.sha256(file).equals(hash)) {
                    throw new BackupException(
                            BackupError.BACKUP_DAMAGED,
                            "the backup's " + path
                                    + " is missing or does not match its checksum: the backup is damaged",
                            Map.of("file", path));
                }
            }
        } catch (IOException e) {
            throw new BackupException(BackupError.BACKUP_DAMAGED, "the backup cannot be read: " + e, Map.of(), e);
        }
    }

    private static void requireNew(Path into) {
        if (!Backups.absentOrEmpty(into)) {
            throw new BackupException(
                    BackupError.TARGET_EXISTS,
                    into + " exists and is not empty: a restore never overwrites a data directory; give a new"
                            + " --data-dir",
                    Map.of("data_directory", into.toString()));
        }
    }

    /** The backup's files into {@code data}, with the recovery settings, ready for PostgreSQL to start. */
    private static void prepare(Backups.RestoreRequest request, Path data) throws IOException {
        copy(request.from().resolve("data"), data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        WalArchive.removeSettings(data); // the restored ledger does not archive yet
        Files.deleteIfExists(data.resolve("backup_manifest"));
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        if (!Files.exists(data.resolve("postgresql.conf"))) {
            // A packaged server keeps it elsewhere (Debian: /etc/postgresql): the defaults serve the restore.
            Files.writeString(data.resolve("postgresql.conf"), "# written by wallet restore\n", StandardCharsets.UTF_8);
        }
        Files.writeString(data.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        Files.writeString(
                data.resolve("postgresql.auto.conf"),
                recoverySettings(request),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        if (request.osUser().isPresent()) {
            Programs.run(
                    List.of(
                            "chown",
                            "-R",
                            request.osUser().get(),
                            request.into().toString()),
                    Optional.empty(),
                    Map.of(),
                    600);
        }
    }

    private static AuditReport recoverEmbedded(
            Backups.RestoreRequest request, Path data, String schema, Consumer<String> notices) throws IOException {
        EmbeddedDatabase.adopt(request.into());
        try (EmbeddedDatabase embedded = EmbeddedDatabase.startOrAttach(request.into(), notices, WalArchive.OFF)) {
            return finish(embedded.jdbcUrl() + "?user=" + embedded.user(), data, schema, request);
        } catch (IllegalStateException | UncheckedIOException | SQLException e) {
            throw failed(request, e.getMessage());
        }
    }

    /** The installation's pg_ctl, on a free port, with a temporary trust-on-127.0.0.1 access file. */
    private static AuditReport recoverInstalled(
            Backups.RestoreRequest request, BackupManifest manifest, Path data, String schema) throws IOException {
        Path into = request.into();
        Path bin = request.pgBin().orElseThrow();
        int port = freePort();
        Path hba = into.resolveSibling(into.getFileName() + ".restore-hba.conf");
        Files.writeString(hba, "host all all 127.0.0.1/32 trust\n", StandardCharsets.UTF_8);
        if (request.osUser().isPresent()) {
            Programs.run(List.of("chown", request.osUser().get(), hba.toString()), Optional.empty(), Map.of(), 10);
        }
        Path log = into.resolveSibling(into.getFileName() + ".restore.log");
        try {
            Programs.run(
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
                    request.osUser(),
                    Map.of(),
                    RECOVERY_MINUTES_MAX * 60);
        } catch (IllegalStateException e) {
            throw failed(request, e.getMessage() + "; PostgreSQL's log: " + tail(log));
        }
        try {
            return finish(
                    "jdbc:postgresql://127.0.0.1:" + port + "/" + manifest.database() + "?user="
                            + manifest.databaseUser(),
                    data,
                    schema,
                    request);
        } catch (IllegalStateException | SQLException e) {
            throw failed(request, e.getMessage() + "; PostgreSQL's log: " + tail(log));
        } finally {
            try {
                Programs.run(
                        List.of(bin.resolve("pg_ctl").toString(), "-D", into.toString(), "-m", "fast", "-w", "stop"),
                        request.osUser(),
                        Map.of(),
                        120);
            } catch (IllegalStateException stopped) {
                // already down (recovery gave up): the failure above says why
            }
            Files.deleteIfExists(hba);
        }
    }

    /** Waits for the promotion, removes the recovery settings, and audits the restored ledger. */
    private static AuditReport finish(String jdbcUrl, Path data, String schema, Backups.RestoreRequest request)
            throws SQLException {
        try (HikariDataSource pool = DataSources.pool(jdbcUrl, null, null, 2, "wallet-restore")) {
            awaitPromotion(pool);
            forgetRecoverySettings(data);
            try (Ledger ledger = new Ledger(pool, LedgerConfig.defaults().withSchema(schema))) {
                return request.verifyAnchor().isPresent()
                        ? ledger.verify(request.verifyAnchor().get(), AuditProgress.NONE)
                        : ledger.verify();
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
            throw new IllegalArgumentException(option + " must be a path of letters, digits and ._/+=@:,- only (it"
                    + " goes into PostgreSQL's settings and commands), got " + text);
        }
    }

    /** Recovery ends with a promotion (recovery_target_action = promote): wait for it, bounded. */
    private static void awaitPromotion(HikariDataSource pool) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(RECOVERY_MINUTES_MAX);
        while (true) { // bounded by the deadline
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

    private static String recoverySettings(Backups.RestoreRequest request) {
        StringBuilder settings = new StringBuilder("\n" + BLOCK + "\n");
        // Without an archive, a command that finds nothing: recovery then replays the backup's own WAL.
        settings.append("restore_command = '")
                .append(request.walArchive()
                        .map(archive -> "cp \"" + archive.toAbsolutePath() + "/%f\" \"%p\"")
                        .orElse("false"))
                .append("'\n");
        request.toTime()
                .ifPresent(t -> settings.append("recovery_target_time = '")
                        .append(postgresTime(t))
                        .append("'\n"));
        request.toAnchor()
                .ifPresent(a -> settings.append("recovery_target_name = '")
                        .append(Backups.restorePoint(a))
                        .append("'\n"));
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

    private static BackupException failed(Backups.RestoreRequest request, String why) {
        String newest = "none";
        Optional<Path> archive = request.walArchive();
        if (archive.isPresent() && Files.isDirectory(archive.get())) {
            try (Stream<Path> files = Files.list(archive.get())) {
                newest = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches("[0-9A-F]{24}"))
                        .max(String::compareTo)
                        .orElse("none");
            } catch (IOException ignored) {
                // the message below says what is known
            }
        }
        return new BackupException(
                BackupError.RECOVERY_FAILED,
                "recovery to " + request.describeTarget() + " did not complete: " + why + ". A target past the"
                        + " archive's end (newest archived WAL file: " + newest + "), before the backup's end, or a"
                        + " restore point the WAL does not hold stops recovery. " + request.into()
                        + " is left as it is: remove it before trying again",
                Map.of("data_directory", request.into().toString()));
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
}
