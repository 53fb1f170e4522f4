package dev.walletledger.cli;

import dev.walletledger.core.Anchor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;

/** {@code wallet backup --to DIR}: a consistent physical backup (or a logical dump) of a running ledger. */
final class BackupCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "backup",
            "back up the ledger while it runs: a physical backup, or a portable dump",
            "wallet backup --to DIR [--pg-bin DIR] [--json]  |  wallet backup --logical --to FILE [--json]",
            """
            Physical (the default): a copy of the whole PostgreSQL cluster as of one moment, taken while
            writes go on, into DIR (which must not exist or be empty): DIR/data, the data directory with the
            WAL it needs; DIR/SHA256SUMS, a checksum per file; DIR/wallet-backup.json, the manifest
            (PostgreSQL's version and system id, the WAL range, the ledger's anchor, sizes). Of the embedded
            PostgreSQL it uses PostgreSQL's backup API and copies the files; of a server given by
            --database-url it runs that server's pg_basebackup (from --pg-bin, or the PATH), as a role with
            the REPLICATION attribute. Restore it with 'wallet restore --from DIR', to any later moment
            when WAL archiving is on.

            --logical: the ledger's schema only, in one snapshot, as a text file (COPY format) that any
            PostgreSQL major version can load with 'wallet restore --logical'. For moving between major
            versions; a physical backup with WAL archiving is the one that recovers to a moment.

            Either way the ledger's anchor is taken first and recorded, so a restore can prove the history
            it brings back is the one backed up.""",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--to", "DIR|FILE", "where to write the backup (must not exist, or be empty)"),
                    Args.Option.flag("--logical", "a portable dump of the ledger's schema instead"),
                    Args.Option.value("--pg-bin", "DIR", "the directory of pg_basebackup, for a server by URL")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        Path to = Path.of(call.required("--to"));
        boolean logical = call.args.has("--logical");
        requireNew(to, logical);
        Database database = call.database();
        long started = System.nanoTime();
        Anchor anchor = call.ledger().anchor();
        Map<String, Object> document = new LinkedHashMap<>();
        try {
            Map<String, String> server = server(database.dataSource());
            if (logical) {
                Map<String, Long> rows = LogicalDump.dump(
                        database.dataSource(), call.ledger().config().schema(), anchor, to, server);
                document.put("kind", "logical");
                document.put("to", to.toString());
                document.put("anchor", anchor.toString());
                document.put("rows", new LinkedHashMap<>(rows));
                document.put("bytes", Files.size(to));
            } else {
                Files.createDirectories(to);
                Path data = to.resolve("data");
                // The database's clock around the copy: a restore cannot stop before the backup's end.
                Instant startedAt = databaseClock(database.dataSource());
                PhysicalBackup.Taken taken;
                String kind;
                if (database.embeddedData().isPresent()) {
                    Files.createDirectories(data);
                    taken = PhysicalBackup.embedded(
                            database.dataSource(), database.embeddedData().get(), data);
                    kind = "physical (backup API, embedded PostgreSQL)";
                } else {
                    taken = PhysicalBackup.external(
                            database.url().orElseThrow(),
                            call.args.value("--pg-bin").map(Path::of).orElse(null),
                            data);
                    kind = "physical (pg_basebackup)";
                }
                Instant stoppedAt = databaseClock(database.dataSource());
                Map<String, String> sums = PhysicalBackup.checksum(data, to.resolve(PhysicalBackup.SUMS));
                long bytes = size(data);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                Map<String, Object> manifest = PhysicalBackup.manifest(
                        kind,
                        taken,
                        startedAt,
                        stoppedAt,
                        server,
                        call.ledger().config().schema(),
                        anchor,
                        bytes,
                        sums.size(),
                        PhysicalBackup.sha256(to.resolve(PhysicalBackup.SUMS)),
                        millis);
                Files.writeString(to.resolve(PhysicalBackup.MANIFEST), Json.write(manifest) + "\n");
                document.putAll(manifest);
                document.put("to", to.toString());
            }
        } catch (SQLException e) {
            throw new CommandFailure(FailureCode.BACKUP_FAILED, "the backup failed: " + e.getMessage(), Map.of());
        } catch (IOException e) {
            throw new CommandFailure(FailureCode.BACKUP_FAILED, "the backup could not be written: " + e, Map.of());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        document.put("elapsed_millis", millis);
        if (call.json()) {
            call.printJson(document);
        } else {
            call.out.println("backup written to " + to + " (" + document.get("kind") + "): "
                    + String.format(Locale.ROOT, "%.1f MB", (Long) document.get("bytes") / 1e6) + " in "
                    + String.format(Locale.ROOT, "%.1f s", millis / 1e3));
            if (document.containsKey("start_lsn")) {
                call.out.println("WAL " + document.get("start_lsn") + " to " + document.get("stop_lsn") + ", "
                        + document.get("files") + " files, checksums in " + to.resolve(PhysicalBackup.SUMS));
            }
            call.out.println("anchor " + anchor);
        }
        return ExitCode.OK;
    }

    private static void requireNew(Path to, boolean file) {
        if (file ? Files.exists(to) : !absentOrEmpty(to)) {
            throw new CommandFailure(
                    FailureCode.TARGET_EXISTS,
                    to + " exists" + (file ? "" : " and is not empty") + ": a backup never overwrites anything",
                    Map.of("to", to.toString()));
        }
    }

    /** Whether {@code path} does not exist or is an empty directory: somewhere a backup or restore may write. */
    static boolean absentOrEmpty(Path path) {
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
    static Instant databaseClock(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT clock_timestamp()")) {
            row.next();
            return row.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }

    /** The server's identity, for the manifest. */
    static Map<String, String> server(DataSource dataSource) throws SQLException {
        Map<String, String> server = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("""
                        SELECT current_setting('server_version'), current_setting('server_version_num'),
                               (SELECT system_identifier::text FROM pg_control_system()), current_database(),
                               current_user
                        """)) {
            row.next();
            server.put("postgresql_version", row.getString(1));
            server.put("postgresql_version_num", row.getString(2));
            server.put("system_identifier", row.getString(3));
            server.put("database", row.getString(4));
            server.put("database_user", row.getString(5));
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
