package dev.walletledger.runtime.backup;

import dev.walletledger.core.Anchor;
import dev.walletledger.runtime.JsonReader;
import dev.walletledger.runtime.JsonText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A physical backup's {@code wallet-backup.json}: what it holds and how to check it. Written when the backup is
 * taken, read back before it is restored.
 *
 * @param format            {@value #FORMAT}
 * @param kind              how it was taken: the backup API of the embedded PostgreSQL, or pg_basebackup
 * @param createdAt         when the manifest was written (after the copy)
 * @param startedAt         the database's clock just before the copy began; absent in backups before 0.3.0
 * @param stoppedAt         the database's clock just after it ended: a restore cannot stop before this;
 *                          absent in backups before 0.3.0 (then {@code createdAt} is the bound)
 * @param postgresqlVersion the server's version, as it names itself
 * @param systemIdentifier  the cluster's identity: WAL from another cluster does not fit this backup
 * @param database          the database and user the ledger lives in
 * @param schema            the ledger's schema
 * @param timeline          the WAL timeline the backup is on
 * @param startLsn          where the backup's WAL begins
 * @param stopLsn           where it ends: the point a restore is consistent from
 * @param walFiles          the WAL files the backup holds
 * @param anchor            the ledger's anchor, taken before the backup began
 * @param files             how many files {@code data/} holds
 * @param bytes             their size
 * @param sumsSha256        the SHA-256 of {@code SHA256SUMS}, which lists every file's
 * @param elapsedMillis     how long the backup took
 */
public record BackupManifest(
        String format,
        String kind,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> stoppedAt,
        String postgresqlVersion,
        String postgresqlVersionNumber,
        String systemIdentifier,
        String database,
        String databaseUser,
        String schema,
        String timeline,
        String startLsn,
        String stopLsn,
        List<String> walFiles,
        Anchor anchor,
        long files,
        long bytes,
        String sumsSha256,
        long elapsedMillis) {
    public static final String FORMAT = "wallet-ledger-backup/1";
    /** The manifest's name in a backup directory. */
    public static final String FILE = "wallet-backup.json";

    public BackupManifest {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(stoppedAt, "stoppedAt");
        Objects.requireNonNull(anchor, "anchor");
        walFiles = List.copyOf(walFiles);
    }

    /** The moment a restore cannot stop before: the backup's end, as closely as it is known. */
    public Instant end() {
        return stoppedAt.orElse(createdAt);
    }

    /** "from S to E" (or "until E" for a backup that did not record its start), for messages. */
    public String timeRange() {
        return startedAt.map(start -> "from " + start + " to ").orElse("until ") + end();
    }

    /** The manifest as JSON, one line, fields in a fixed order. */
    public String json() {
        StringBuilder out = new StringBuilder("{");
        field(out, "format", format);
        field(out, "kind", kind);
        field(out, "created_at", createdAt.toString());
        startedAt.ifPresent(t -> field(out, "started_at", t.toString()));
        stoppedAt.ifPresent(t -> field(out, "stopped_at", t.toString()));
        field(out, "postgresql_version", postgresqlVersion);
        field(out, "postgresql_version_num", postgresqlVersionNumber);
        field(out, "system_identifier", systemIdentifier);
        field(out, "database", database);
        field(out, "database_user", databaseUser);
        field(out, "schema", schema);
        field(out, "timeline", timeline);
        field(out, "start_lsn", startLsn);
        field(out, "stop_lsn", stopLsn);
        out.append(",\"wal_files\":[");
        for (int i = 0; i < walFiles.size(); i++) {
            out.append(i == 0 ? "" : ",");
            JsonText.appendQuoted(walFiles.get(i), out);
        }
        out.append(']');
        field(out, "anchor", anchor.toString());
        out.append(",\"files\":").append(files);
        out.append(",\"bytes\":").append(bytes);
        field(out, "sha256sums_sha256", sumsSha256);
        out.append(",\"elapsed_millis\":").append(elapsedMillis);
        return out.append('}').toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(out.length() == 1 ? "" : ",");
        JsonText.appendQuoted(name, out);
        out.append(':');
        JsonText.appendQuoted(value, out);
    }

    void write(Path backup) throws IOException {
        Files.writeString(backup.resolve(FILE), json() + "\n", StandardCharsets.UTF_8);
    }

    /**
     * The manifest of the backup in {@code backup}.
     *
     * @throws BackupException {@code BACKUP_NOT_FOUND} without one, {@code BACKUP_DAMAGED} when it cannot be read
     */
    public static BackupManifest read(Path backup) {
        String text;
        try {
            text = Files.readString(backup.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BackupException(
                    BackupError.BACKUP_NOT_FOUND,
                    backup + " holds no " + FILE + ": not a directory a backup was written to",
                    Map.of("from", backup.toString()));
        } catch (IOException e) {
            throw new BackupException(
                    BackupError.BACKUP_NOT_FOUND,
                    backup + "'s " + FILE + " cannot be read: " + e.getMessage(),
                    Map.of());
        }
        try {
            if (!(JsonReader.read(text, 2) instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException("it is not a JSON object");
            }
            return new BackupManifest(
                    text(fields, "format"),
                    text(fields, "kind"),
                    Instant.parse(text(fields, "created_at")),
                    optional(fields, "started_at").map(Instant::parse),
                    optional(fields, "stopped_at").map(Instant::parse),
                    text(fields, "postgresql_version"),
                    text(fields, "postgresql_version_num"),
                    text(fields, "system_identifier"),
                    text(fields, "database"),
                    text(fields, "database_user"),
                    text(fields, "schema"),
                    text(fields, "timeline"),
                    text(fields, "start_lsn"),
                    text(fields, "stop_lsn"),
                    texts(fields, "wal_files"),
                    Anchor.parse(text(fields, "anchor")),
                    number(fields, "files"),
                    number(fields, "bytes"),
                    text(fields, "sha256sums_sha256"),
                    number(fields, "elapsed_millis"));
        } catch (RuntimeException e) {
            throw new BackupException(
                    BackupError.BACKUP_DAMAGED,
                    "the backup's " + FILE + " cannot be read: " + e.getMessage(),
                    Map.of("file", FILE),
                    e);
        }
    }

    private static String text(Map<?, ?> fields, String name) {
        return optional(fields, name).orElseThrow(() -> new IllegalArgumentException("it has no " + name));
    }

    private static Optional<String> optional(Map<?, ?> fields, String name) {
        Object value = fields.get(name);
        if (value != null && !(value instanceof String)) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return Optional.ofNullable((String) value);
    }

    private static long number(Map<?, ?> fields, String name) {
        if (!(fields.get(name) instanceof BigDecimal value)) {
            throw new IllegalArgumentException("it has no number " + name);
        }
        return value.longValueExact();
    }

    private static List<String> texts(Map<?, ?> fields, String name) {
        if (!(fields.get(name) instanceof List<?> values)) {
            throw new IllegalArgumentException("it has no list " + name);
        }
        List<String> result = new ArrayList<>();
        for (Object value : values) {
            result.add((String) value);
        }
        return result;
    }
}
