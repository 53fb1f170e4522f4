package dev.walletledger.runtime.backup;

import dev.walletledger.core.Anchor;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A portable dump of one ledger schema, for moving between PostgreSQL major versions: a text file of
 * header lines, then each table's rows in PostgreSQL's COPY text format, read in one snapshot. Loaded into
 * an empty, freshly migrated schema of the same version: the rows go in as they were, with the schema's
 * triggers set aside for the load (as pg_restore's --disable-triggers does), and then the full audit,
 * with the dump's anchor, proves the loaded ledger sound and its history the dumped one.
 */
final class LogicalDump {
    static final String FORMAT = "wallet-ledger-dump/1";
    /** Loaded in this order (foreign keys point backwards), then any other table of the schema. */
    private static final List<String> ORDER =
            List.of("asset_types", "wallets", "ledger_transactions", "ledger_entries");

    private static final String TABLE = "\\table ";
    private static final String END = "\\.";

    private LogicalDump() {}

    record Header(String schema, String schemaVersion, Anchor anchor, Map<String, String> fields) {}

    /** Writes the dump; returns the rows per table. */
    static Map<String, Long> dump(
            DataSource dataSource, String schema, Anchor anchor, Path file, Map<String, String> server)
            throws SQLException, IOException {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            String version = schemaVersion(connection, schema);
            out.write("-- wallet-ledger logical dump: load it with 'wallet restore --logical --from FILE'"
                    + " (Backups.load)\n");
            out.write("-- format: " + FORMAT + "\n");
            out.write("-- schema: " + schema + "\n");
            out.write("-- schema_version: " + version + "\n");
            out.write("-- anchor: " + anchor + "\n");
            for (Map.Entry<String, String> field : server.entrySet()) {
                out.write("-- " + field.getKey() + ": " + field.getValue().replace('\n', ' ') + "\n");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables(connection, schema)) {
                List<String> columns = columns(connection, schema, table);
                out.write(TABLE + table + " " + String.join(",", columns) + "\n");
                out.flush();
                long count = copy.copyOut(
                        "COPY (SELECT " + String.join(", ", quoted(columns)) + " FROM " + quote(schema) + "."
                                + quote(table) + " ORDER BY 1) TO STDOUT",
                        out);
                out.write(END + "\n");
                rows.put(table, count);
            }
            connection.commit();
        }
        return rows;
    }

    static Header header(Path file) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null && line.startsWith("-- "); ) {
                int colon = line.indexOf(": ");
                if (colon > 3) {
                    fields.put(line.substring(3, colon), line.substring(colon + 2));
                }
            }
        } catch (IOException e) {
            throw new BackupException(
                    BackupError.DUMP_NOT_READABLE, "the dump cannot be read: " + e, Map.of("from", file.toString()), e);
        }
        if (!FORMAT.equals(fields.get("format"))) {
            throw new BackupException(
                    BackupError.DUMP_NOT_READABLE,
                    file + " is not a dump 'wallet backup --logical' wrote (format " + fields.get("format") + ")",
                    Map.of("from", file.toString()));
        }
        return new Header(
                fields.get("schema"), fields.get("schema_version"), Anchor.parse(fields.get("anchor")), fields);
    }

    /**
     * Loads a dump into {@code schema}, which must be migrated to the dump's version and hold no wallet,
     * in one transaction; returns the rows per table.
     */
    static Map<String, Long> load(DataSource dataSource, String schema, Path file) throws SQLException, IOException {
        Header header = header(file);
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            String version = schemaVersion(connection, schema);
            if (!version.equals(header.schemaVersion())) {
                throw new BackupException(
                        BackupError.DUMP_VERSION_MISMATCH,
                        "the dump is of schema version " + header.schemaVersion() + ", this ledger's is " + version
                                + ": load it with the wallet release that wrote it",
                        Map.of("dump_version", header.schemaVersion(), "schema_version", version));
            }
            if (count(connection, schema, "wallets") > 0 || count(connection, schema, "asset_types") > 0) {
                throw new BackupException(
                        BackupError.LEDGER_NOT_EMPTY,
                        "schema " + schema + " already holds a ledger: a dump loads into an empty one only",
                        Map.of("schema", schema));
            }
            Map<String, String> triggers = triggers(connection, schema);
            // Every table's triggers, not only the money tables': V6's tables check their rows against each
            // other (an event against its transaction) and refuse the delete of the seeded row below.
            List<String> tables = tables(connection, schema);
            for (String table : tables) {
                execute(connection, "ALTER TABLE " + quote(schema) + "." + quote(table) + " DISABLE TRIGGER USER");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith(TABLE)) {
                        continue;
                    }
                    String[] parts = line.substring(TABLE.length()).split(" ", 2);
                    List<String> columns = List.of(parts[1].split(","));
                    // A row the migrations seed (the feed's sequencer) is in the dump too, as it was then: the
                    // dump's replaces it. The tables a ledger's data would be in were found empty above.
                    if (!parts[0].equals("asset_types") && !parts[0].equals("wallets")) {
                        execute(connection, "DELETE FROM " + quote(schema) + "." + quote(parts[0]));
                    }
                    rows.put(
                            parts[0],
                            copy.copyIn(
                                    "COPY " + quote(schema) + "." + quote(parts[0]) + " ("
                                            + String.join(", ", quoted(columns)) + ") FROM STDIN",
                                    new TableRows(in)));
                }
            }
            for (Map.Entry<String, String> trigger : triggers.entrySet()) {
                String[] key = trigger.getKey().split("\\.", 2);
                String mode = switch (trigger.getValue()) {
                    case "A" -> "ENABLE ALWAYS TRIGGER ";
                    case "R" -> "ENABLE REPLICA TRIGGER ";
                    case "D" -> "DISABLE TRIGGER ";
                    default -> "ENABLE TRIGGER ";
                };
                execute(connection, "ALTER TABLE " + quote(schema) + "." + quote(key[0]) + " " + mode + quote(key[1]));
            }
            for (String table : tables) {
                String sequence;
                // Asked only of a table with an id column: pg_get_serial_sequence fails on one without.
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT pg_get_serial_sequence(?, 'id') FROM information_schema.columns"
                                + " WHERE table_schema = ? AND table_name = ? AND column_name = 'id'")) {
                    statement.setString(1, quote(schema) + "." + quote(table));
                    statement.setString(2, schema);
                    statement.setString(3, table);
                    try (ResultSet row = statement.executeQuery()) {
                        sequence = row.next() ? row.getString(1) : null;
                    }
                }
                if (sequence != null) { // an identity: the next id follows the loaded ones
                    execute(
                            connection,
                            "SELECT setval('" + sequence.replace("'", "''") + "', GREATEST((SELECT max(id) FROM "
                                    + quote(schema) + "." + quote(table) + "), 1))");
                }
            }
            connection.commit();
        }
        return rows;
    }

    /** One table's rows from the dump, as a stream that ends at its terminator line (not read past it). */
    private static final class TableRows extends Reader {
        private final BufferedReader in;
        private String line = "";
        private int position;
        private boolean done;

        TableRows(BufferedReader in) {
            this.in = in;
            this.position = 0;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (!done && position >= line.length()) {
                String next = in.readLine();
                if (next == null || next.equals(END)) {
                    done = true;
                } else {
                    line = next + "\n";
                    position = 0;
                }
            }
            if (done) {
                return -1;
            }
            int n = Math.min(length, line.length() - position);
            line.getChars(position, position + n, buffer, offset);
            position += n;
            return n;
        }

        @Override
        public void close() {
            // the dump's reader belongs to the caller
        }
    }

    private static Map<String, String> triggers(Connection connection, String schema) throws SQLException {
        Map<String, String> result = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT c.relname, t.tgname, t.tgenabled
                  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND NOT t.tgisinternal
                 ORDER BY 1, 2
                """)) {
            statement.setString(1, schema);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    result.put(row.getString(1) + "." + row.getString(2), row.getString(3));
                }
            }
        }
        return result;
    }

    private static List<String> tables(Connection connection, String schema) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'"
                        + " AND table_name <> 'flyway_schema_history' ORDER BY table_name")) {
            statement.setString(1, schema);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    found.add(row.getString(1));
                }
            }
        }
        List<String> ordered = new ArrayList<>(ORDER);
        ordered.retainAll(found);
        found.stream().filter(t -> !ORDER.contains(t)).forEach(ordered::add);
        return ordered;
    }

    private static List<String> columns(Connection connection, String schema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " AND is_generated = 'NEVER' ORDER BY ordinal_position")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    columns.add(row.getString(1));
                }
            }
        }
        return columns;
    }

    static String schemaVersion(Connection connection, String schema) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT max(version::int)::text FROM " + quote(schema)
                        + ".flyway_schema_history WHERE success AND version IS NOT NULL")) {
            row.next();
            return Optional.ofNullable(row.getString(1)).orElse("0");
        }
    }

    private static long count(Connection connection, String schema, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT count(*) FROM (SELECT 1 FROM " + quote(schema) + "." + quote(table) + " LIMIT 1) x")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<String> quoted(List<String> names) {
        return names.stream().map(LogicalDump::quote).toList();
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
