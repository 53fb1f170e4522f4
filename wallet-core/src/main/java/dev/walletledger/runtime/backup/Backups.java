package dev.walletledger.runtime.backup;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Backups of a running ledger and restores of them, for a program that embeds the ledger as well as for the
 * {@code wallet} command line (which parses, calls this, and prints).
 *
 * <ul>
 *   <li>{@link #physical(Ledger, DataSource, EmbeddedDatabase, Path)}: the embedded PostgreSQL, through its
 *       backup API, writes going on; {@link #physical(Ledger, DataSource, DatabaseUrl, Optional, Path)}: a
 *       server by URL, with that server's {@code pg_basebackup}. A backup directory holds {@code data/},
 *       {@code SHA256SUMS} and the {@link BackupManifest}, with the ledger's anchor taken first.
 *   <li>{@link #restore(RestoreRequest, Consumer)}: into a new directory, recovered to a moment or an anchor's
 *       restore point with the WAL archive, then audited.
 *   <li>{@link #logical(Ledger, DataSource, Path)} and {@link #load(DataSource, LedgerConfig, Path)}: a
 *       portable dump of the ledger's schema, for another PostgreSQL major version.
 * </ul>
 *
 * Failures are {@link BackupException}s with a stable {@link BackupError}; a value that cannot be used
 * (a path with characters PostgreSQL's settings cannot hold) is an {@link IllegalArgumentException}.
 */
public final class Backups {
    /** How {@link #restore} is asked to run: from a backup into a new directory, to a target. */
    public record RestoreRequest(
            Path from,
            Path into,
            Optional<Path> walArchive,
            Optional<Instant> toTime,
            Optional<Anchor> toAnchor,
            Optional<Anchor> anchor,
            Optional<String> schema,
            Optional<Path> pgBin,
            Optional<String> osUser) {
        public RestoreRequest {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(into, "into");
            Objects.requireNonNull(walArchive, "walArchive");
            Objects.requireNonNull(toTime, "toTime");
            Objects.requireNonNull(toAnchor, "toAnchor");
            Objects.requireNonNull(anchor, "anchor");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(pgBin, "pgBin");
            Objects.requireNonNull(osUser, "osUser");
            if (toTime.isPresent() && toAnchor.isPresent()) {
                throw new IllegalArgumentException("a restore stops at a time or at an anchor, not both");
            }
            if (osUser.isPresent() && pgBin.isEmpty()) {
                throw new IllegalArgumentException("osUser goes with pgBin");
            }
        }

        /** From the backup in {@code from} into the new directory {@code into}, with its own WAL only. */
        public static RestoreRequest of(Path from, Path into) {
            return new RestoreRequest(
                    from,
                    into,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty());
        }

        /** With the WAL archive the ledger's PostgreSQL wrote to (WALLET_WAL_ARCHIVE_DIR). */
        public RestoreRequest walArchive(Path archive) {
            return new RestoreRequest(
                    from, into, Optional.of(archive), toTime, toAnchor, anchor, schema, pgBin, osUser);
        }

        /** Recovered up to the last transaction committed at or before {@code time}. */
        public RestoreRequest toTime(Instant time) {
            return new RestoreRequest(
                    from, into, walArchive, Optional.of(time), toAnchor, anchor, schema, pgBin, osUser);
        }

        /** Recovered up to the restore point {@link #restorePoint(Anchor)} marked, and proven against it. */
        public RestoreRequest toAnchor(Anchor target) {
            return new RestoreRequest(
                    from, into, walArchive, toTime, Optional.of(target), Optional.of(target), schema, pgBin, osUser);
        }

        /** Proven against {@code proof} by the audit (history up to it is the one restored). */
        public RestoreRequest verifyingAnchor(Anchor proof) {
            return new RestoreRequest(
                    from, into, walArchive, toTime, toAnchor, Optional.of(proof), schema, pgBin, osUser);
        }

        /** Audited in {@code ledgerSchema} (the manifest's schema otherwise). */
        public RestoreRequest schema(String ledgerSchema) {
            return new RestoreRequest(
                    from, into, walArchive, toTime, toAnchor, anchor, Optional.of(ledgerSchema), pgBin, osUser);
        }

        /** Run by this PostgreSQL installation's binaries (its major version), as {@code user} when given. */
        public RestoreRequest installation(Path bin, Optional<String> user) {
            return new RestoreRequest(from, into, walArchive, toTime, toAnchor, anchor, schema, Optional.of(bin), user);
        }

        /** The anchor the audit checks: the target one, or the one given to prove. */
        Optional<Anchor> verifyAnchor() {
            return anchor;
        }

        String describeTarget() {
            return toTime.map(t -> "time " + t)
                    .or(() -> toAnchor.map(a -> "restore point " + restorePoint(a)))
                    .orElse("the end of the WAL available");
        }
    }

    /** A restore done: the audit of the restored ledger, and how long the copy and the recovery took. */
    public record Restored(AuditReport report, long copyMillis, long recoveryMillis, Path directory, String target) {}

    /** A logical dump written: where, of what, how many rows per table. */
    public record Dumped(Path file, Anchor anchor, Map<String, Long> rows, long bytes) {}

    /** A logical dump loaded: rows per table, how long, and the audit against the dump's anchor. */
    public record Loaded(Map<String, Long> rows, long loadMillis, Anchor anchor, AuditReport report) {}

    private Backups() {}

    /**
     * A physical backup of the embedded PostgreSQL that {@code database} runs (or attached to), into {@code to}
     * (which must not exist or be empty), while writes go on.
     */
    public static BackupManifest physical(Ledger ledger, DataSource dataSource, EmbeddedDatabase database, Path to) {
        return physical(
                ledger,
                dataSource,
                to,
                "physical (backup API, embedded PostgreSQL)",
                data -> PhysicalBackup.embedded(dataSource, database.pgData(), data));
    }

    /**
     * A physical backup of the server {@code url} leads to, by its {@code pg_basebackup} (in {@code pgBin}, or on
     * the PATH), as a role with the REPLICATION attribute.
     */
    public static BackupManifest physical(
            Ledger ledger, DataSource dataSource, DatabaseUrl url, Optional<Path> pgBin, Path to) {
        return physical(
                ledger, dataSource, to, "physical (pg_basebackup)", data -> PhysicalBackup.external(url, pgBin, data));
    }

    @FunctionalInterface
    private interface Copy {
        PhysicalBackup.Taken into(Path data) throws IOException, SQLException;
    }

    private static BackupManifest physical(Ledger ledger, DataSource dataSource, Path to, String kind, Copy copy) {
        if (!absentOrEmpty(to)) {
            throw new BackupException(
                    BackupError.TARGET_EXISTS,
                    to + " exists and is not empty: a backup never overwrites anything",
                    Map.of("to", to.toString()));
        }
        long started = System.nanoTime();
        Anchor anchor = ledger.anchor();
        try {
            Map<String, String> server = server(dataSource);
            Files.createDirectories(to);
            Path data = to.resolve("data");
            Files.createDirectories(data);
            // The database's clock around the copy: a restore cannot stop before the backup's end.
            Instant startedAt = databaseClock(dataSource);
            PhysicalBackup.Taken taken = copy.into(data);
            Instant stoppedAt = databaseClock(dataSource);
            Map<String, String> sums = PhysicalBackup.checksum(data, to.resolve(PhysicalBackup.SUMS));
            BackupManifest manifest = new BackupManifest(
                    BackupManifest.FORMAT,
                    kind,
                    Instant.now(),
                    Optional.of(startedAt),
                    Optional.of(stoppedAt),
                    server.get("postgresql_version"),
                    server.get("postgresql_version_num"),
                    server.get("system_identifier"),
                    server.get("database"),
                    server.get("database_user"),
                    ledger.config().schema(),
                    taken.timeline(),
                    taken.startLsn(),
                    taken.stopLsn(),
                    taken.walFiles(),
                    anchor,
                    sums.size(),
                    size(data),
                    PhysicalBackup.sha256(to.resolve(PhysicalBackup.SUMS)),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            manifest.write(to);
            return manifest;
        } catch (SQLException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, "the backup failed: " + e.getMessage(), Map.of(), e);
        } catch (IOException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, "the backup could not be written: " + e, Map.of(), e);
        } catch (IllegalStateException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, e.getMessage(), Map.of(), e);
        }
    }

    /** A logical dump of the ledger's schema, in one snapshot, into the new file {@code file}. */
    public static Dumped logical(Ledger ledger, DataSource dataSource, Path file) {
        if (Files.exists(file)) {
            throw new BackupException(
                    BackupError.TARGET_EXISTS,
                    file + " exists: a backup never overwrites anything",
                    Map.of("to", file.toString()));
        }
        Anchor anchor = ledger.anchor();
        try {
            Map<String, Long> rows =
                    LogicalDump.dump(dataSource, ledger.config().schema(), anchor, file, server(dataSource));
            return new Dumped(file, anchor, rows, Files.size(file));
        } catch (SQLException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, "the dump failed: " + e.getMessage(), Map.of(), e);
        } catch (IOException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, "the dump could not be written: " + e, Map.of(), e);
        }
    }

    /**
     * Restores a physical backup into a new directory, recovered to the request's target, and audits it.
     * {@code notices} is told what happens meanwhile (recovery started, PostgreSQL found and stopped...).
     */
    public static Restored restore(RestoreRequest request, Consumer<String> notices) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(notices, "notices");
        return PhysicalRestore.run(request, notices);
    }

    /**
     * Loads a logical dump into the ledger {@code dataSource} and {@code config} name: migrated now if it is
     * new, and empty; then audits it against the dump's anchor.
     */
    public static Loaded load(DataSource dataSource, LedgerConfig config, Path file) {
        long started = System.nanoTime();
        LogicalDump.Header header = LogicalDump.header(file);
        Ledger.migrate(dataSource, config);
        Map<String, Long> rows;
        try {
            rows = LogicalDump.load(dataSource, config.schema(), file);
        } catch (IOException e) {
            throw new BackupException(BackupError.DUMP_NOT_READABLE, "the dump cannot be read: " + e, Map.of(), e);
        } catch (SQLException e) {
            throw new BackupException(
                    BackupError.RESTORE_FAILED,
                    "the dump could not be loaded (nothing was): " + e.getMessage(),
                    Map.of(),
                    e);
        }
        long loaded = System.nanoTime();
        try (Ledger ledger = new Ledger(dataSource, config)) {
            AuditReport report = ledger.verify(header.anchor(), AuditProgress.NONE);
            return new Loaded(rows, TimeUnit.NANOSECONDS.toMillis(loaded - started), header.anchor(), report);
        }
    }

    /** The restore point {@link #markRestorePoint} marks for an anchor, which a restore to that anchor stops at. */
    public static String restorePoint(Anchor anchor) {
        return "wallet-anchor-" + anchor.entryId();
    }

    /**
     * Marks the database's WAL at the moment of {@code anchor} (right after taking it), so that a restore can
     * recover to it ({@link RestoreRequest#toAnchor}). Empty when the role may not mark one (it takes superuser
     * or pg_checkpoint rights) or the WAL level is minimal: the anchor still proves history, a restore just
     * cannot stop there.
     */
    public static Optional<String> markRestorePoint(DataSource dataSource, Anchor anchor) {
        String name = restorePoint(anchor);
        try (Connection connection = dataSource.getConnection();
                java.sql.PreparedStatement statement =
                        connection.prepareStatement("SELECT pg_create_restore_point(?)::text")) {
            statement.setString(1, name);
            statement.executeQuery().close();
            return Optional.of(name);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code path} does not exist or is an empty directory: somewhere a backup or restore may write. */
    public static boolean absentOrEmpty(Path path) {
        if (!Files.exists(path)) {
            return true;
        }
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The database's clock now: the clock its commit times are read from. */
    private static Instant databaseClock(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT clock_timestamp()")) {
            row.next();
            return row.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /** The server's identity, for the manifest and the dump's header. */
    private static Map<String, String> server(DataSource dataSource) throws SQLException {
        Map<String, String> server = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("""
                        SELECT current_setting('server_version') AS version,
                               current_setting('server_version_num') AS version_num,
                               (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
                               current_database() AS database, current_user AS database_user
                        """)) {
            row.next();
            server.put("postgresql_version", row.getString("version"));
            server.put("postgresql_version_num", row.getString("version_num"));
            server.put("system_identifier", row.getString("system_identifier"));
            server.put("database", row.getString("database"));
            server.put("database_user", row.getString("database_user"));
        }
        return server;
    }

    private static long size(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            long total = 0;
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(path);
            }
            return total;
        }
    }
}
