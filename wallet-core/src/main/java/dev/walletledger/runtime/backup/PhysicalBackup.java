package dev.walletledger.runtime.backup;

import dev.walletledger.runtime.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A consistent physical backup of a running ledger, taken without stopping writes, into a new directory:
 *
 * <pre>
 * DIR/data/             the PostgreSQL data directory as of the backup's end, with the WAL it needs
 * DIR/SHA256SUMS        one line per file of data/ ({@code sha256sum -c SHA256SUMS} checks them)
 * DIR/wallet-backup.json the manifest: PostgreSQL's version and system id, the WAL range, the anchor...
 * </pre>
 *
 * Two ways to take it: of the embedded PostgreSQL, with the backup API ({@code pg_backup_start} and
 * {@code pg_backup_stop}) and a copy of its files (the data directory is on this machine); of a server
 * reached by URL, with that server's own {@code pg_basebackup} streaming the files and the WAL. Either way
 * a temporary replication slot or the stream keeps the WAL the copy needs until it is taken.
 */
final class PhysicalBackup {
    static final String SUMS = "SHA256SUMS";

    /** Never copied (PostgreSQL's documented exclusions for a base backup). */
    private static final Set<String> SKIPPED_FILES = Set.of(
            "postmaster.pid",
            "postmaster.opts",
            "backup_label",
            "tablespace_map",
            "backup_label.old",
            "standby.signal",
            "recovery.signal",
            "current_logfiles");
    /** Copied empty. */
    private static final Set<String> EMPTIED_DIRECTORIES = Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_stat_tmp",
            "pg_subtrans",
            "log");

    /** How long pg_basebackup may take before it is stopped. */
    private static final long BASEBACKUP_MINUTES_MAX = 24 * 60;

    private PhysicalBackup() {}

    /** What a backup run found, for the manifest and the operator. */
    record Taken(String startLsn, String stopLsn, String timeline, List<String> walFiles) {}

    /** The embedded PostgreSQL: backup API, then a copy of {@code pgData}'s files and of the WAL they need. */
    static Taken embedded(DataSource dataSource, Path pgData, Path data) throws SQLException, IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            String slot = "wallet_backup_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000;
            // Reserves the WAL from here on for this session: no checkpoint may recycle what the copy needs.
            query(connection, "SELECT pg_create_physical_replication_slot('" + slot + "', true, true)");
            String start = query(connection, "SELECT pg_backup_start('wallet backup', true)::text");
            String startFile = query(connection, "SELECT pg_walfile_name('" + start + "'::pg_lsn)");
            copyTree(pgData, data);
            String stop;
            String label;
            String spaces;
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery(
                            "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                row.next();
                stop = row.getString(1);
                label = row.getString(2);
                spaces = row.getString(3);
            }
            Files.writeString(data.resolve("backup_label"), label, StandardCharsets.UTF_8);
            if (spaces != null && !spaces.isEmpty()) {
                Files.writeString(data.resolve("tablespace_map"), spaces, StandardCharsets.UTF_8);
            }
            // The backup's end is in the WAL being written: switch, so the file holding it is complete.
            query(connection, "SELECT pg_switch_wal()::text");
            String stopFile = query(connection, "SELECT pg_walfile_name('" + stop + "'::pg_lsn)");
            long segmentBytes = Long.parseLong(
                    query(connection, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
            List<String> wal =
                    copyWal(pgData.resolve("pg_wal"), data.resolve("pg_wal"), startFile, stopFile, segmentBytes);
            query(connection, "SELECT pg_drop_replication_slot('" + slot + "')::text");
            return new Taken(start, stop, startFile.substring(0, 8), wal);
        }
    }

    /** A server reached by URL: its {@code pg_basebackup} from {@code pgBin} (or the PATH). */
    static Taken external(DatabaseUrl url, Optional<Path> pgBin, Path data) throws IOException {
        Properties parsed = org.postgresql.Driver.parseURL(url.jdbcUrl(), new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("the database URL cannot be read");
        }
        String host = parsed.getProperty("PGHOST").split(",")[0];
        String port = parsed.getProperty("PGPORT").split(",")[0];
        List<String> command = new ArrayList<>(List.of(
                pgBin.map(bin -> bin.resolve("pg_basebackup").toString()).orElse("pg_basebackup"),
                "-D",
                data.toString(),
                "-h",
                host,
                "-p",
                port,
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-password",
                "--label",
                "wallet backup"));
        if (url.user() != null) {
            command.addAll(List.of("-U", url.user()));
        }
        try {
            Programs.run(
                    command,
                    Optional.empty(),
                    url.password() == null ? Map.of() : Map.of("PGPASSWORD", url.password()),
                    TimeUnit.MINUTES.toSeconds(BASEBACKUP_MINUTES_MAX));
        } catch (Programs.NotStarted e) {
            throw new BackupException(
                    BackupError.PG_BASEBACKUP_MISSING,
                    e.getMessage() + ": install the PostgreSQL client of the server's major version, or give its"
                            + " directory with --pg-bin",
                    Map.of());
        } catch (IllegalStateException e) {
            throw new BackupException(BackupError.BACKUP_FAILED, e.getMessage(), Map.of());
        }
        String label = Files.readString(data.resolve("backup_label"), StandardCharsets.UTF_8);
        String start = field(label, "START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)");
        String startFile = field(label, "\\(file ([0-9A-F]{24})\\)");
        String manifest = Files.readString(data.resolve("backup_manifest"), StandardCharsets.UTF_8);
        String stop = field(manifest, "\"End-LSN\": \"([0-9A-F]+/[0-9A-F]+)\"");
        List<String> wal;
        try (Stream<Path> files = Files.list(data.resolve("pg_wal"))) {
            wal = files.map(p -> p.getFileName().toString())
                    .filter(name -> name.matches("[0-9A-F]{24}"))
                    .sorted()
                    .toList();
        }
        return new Taken(start, stop, startFile.substring(0, 8), wal);
    }

    private static String field(String text, String regex) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("the backup's label has no " + regex);
        }
        return matcher.group(1);
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getString(1);
        }
    }

    /** Copies the data directory; files that vanish while it runs (dropped, temporary) are skipped. */
    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            Path relative = from.relativize(path);
            String name = path.getFileName().toString();
            Path parent = relative.getParent();
            if (parent != null && EMPTIED_DIRECTORIES.contains(parent.getName(0).toString())) {
                continue;
            }
            if (name.startsWith("pgsql_tmp") || (parent == null && SKIPPED_FILES.contains(name))) {
                continue;
            }
            Path target = to.resolve(relative.toString());
            try {
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(path)) {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            } catch (NoSuchFileException vanished) {
                // removed since the walk (a dropped table, a temporary file): the WAL replays its removal
            }
        }
    }

    private static List<String> copyWal(Path from, Path to, String first, String last, long segmentBytes)
            throws IOException {
        Files.createDirectories(to);
        List<String> copied = new ArrayList<>();
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                boolean segment = name.matches("[0-9A-F]{24}");
                if ((segment && name.compareTo(first) >= 0 && name.compareTo(last) <= 0) || name.endsWith(".history")) {
                    Files.copy(file, to.resolve(name));
                    if (segment) {
                        copied.add(name);
                    }
                }
            }
        }
        if (!copied.contains(first) || !copied.contains(last) || !contiguous(copied, segmentBytes)) {
            throw new IllegalStateException("the WAL from " + first + " to " + last + " was not all there: " + copied);
        }
        return copied;
    }

    /** Segment names of one timeline with no gap (the low 16 hex digits count segments within it). */
    static boolean contiguous(List<String> segments, long segmentBytes) {
        long perId = 0x1_0000_0000L / segmentBytes; // segments per high word of the position
        for (int i = 1; i < segments.size(); i++) {
            String previous = segments.get(i - 1);
            String next = segments.get(i);
            long a = Long.parseLong(previous.substring(8, 16), 16) * perId + Long.parseLong(previous.substring(16), 16);
            long b = Long.parseLong(next.substring(8, 16), 16) * perId + Long.parseLong(next.substring(16), 16);
            if (!previous.substring(0, 8).equals(next.substring(0, 8)) || b != a + 1) {
                return false;
            }
        }
        return true;
    }

    /** sha256 of every file under {@code data}, by path relative to it, sorted; and writes SHA256SUMS. */
    static Map<String, String> checksum(Path data, Path sums) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                result.put(data.getParent().relativize(path).toString(), sha256(path));
            }
        }
        StringBuilder lines = new StringBuilder();
        result.forEach(
                (path, hash) -> lines.append(hash).append("  ").append(path).append('\n'));
        Files.writeString(sums, lines, StandardCharsets.UTF_8);
        return result;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
