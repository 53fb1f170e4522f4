package dev.walletledger.cli.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one batch of top-ups writes, table by table, found on the bench's own ledger: every table of the ledger's
 * schema is counted before and after one batch, and the rows the batch's transaction left (their {@code xmin} is
 * its transaction id) are told apart into rows it added and existing rows it rewrote. A row the batch inserted and
 * then updated in the same transaction counts once, as added. Nothing else may write the ledger meanwhile.
 */
final class BatchRows {
    /** One table: rows added, and existing rows the batch's transaction rewrote (an update, in place or not). */
    record Table(String name, long added, long rewritten) {}

    /** The rows one batch of {@code operations} left; an example transaction's request, metadata and event type. */
    record Written(int operations, List<Table> tables, String request, String metadata, String eventType) {
        long added(String table) {
            return tables.stream()
                    .filter(t -> t.name().equals(table))
                    .mapToLong(Table::added)
                    .sum();
        }

        long rewritten(String table) {
            return tables.stream()
                    .filter(t -> t.name().equals(table))
                    .mapToLong(Table::rewritten)
                    .sum();
        }

        /** e.g. "ledger_entries +2,000, wallets +996 and 4 rewritten": the tables that changed. */
        String describe() {
            List<String> parts = new ArrayList<>();
            for (Table table : tables) {
                if (table.added() == 0 && table.rewritten() == 0) {
                    continue;
                }
                parts.add(table.name() + " +" + String.format("%,d", table.added())
                        + (table.rewritten() == 0 ? "" : String.format(" and %,d rewritten", table.rewritten())));
            }
            return String.join(", ", parts);
        }
    }

    private BatchRows() {}

    /**
     * Counts around {@code batch}, which applies {@code operations} operations in one transaction and gives the
     * reference id of one of them.
     */
    static Written count(
            HikariDataSource pool, String schema, int operations, java.util.function.Supplier<String> batch) {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            List<String> names = new ArrayList<>();
            try (PreparedStatement tables = connection.prepareStatement(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                            + " AND table_type = 'BASE TABLE' ORDER BY table_name")) {
                tables.setString(1, schema);
                try (ResultSet rows = tables.executeQuery()) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                }
            }
            Map<String, Long> before = new LinkedHashMap<>();
            for (String name : names) {
                before.put(name, number(statement, "SELECT count(*) FROM " + schema + "." + name));
            }
            String reference = batch.get();
            String xid;
            String request;
            String metadata;
            String eventType;
            try (PreparedStatement example = connection.prepareStatement("SELECT t.xmin::text, t.request::text,"
                    + " t.metadata::text, e.type FROM " + schema + ".ledger_transactions t LEFT JOIN " + schema
                    + ".ledger_events e ON e.transaction_id = t.id WHERE t.reference_id = ?")) {
                example.setString(1, reference);
                try (ResultSet row = example.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("the probe's transaction " + reference + " is not there");
                    }
                    xid = row.getString(1);
                    request = row.getString(2);
                    metadata = row.getString(3);
                    eventType = row.getString(4);
                }
            }
            List<Table> tables = new ArrayList<>();
            for (String name : names) {
                try (ResultSet row = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE xmin = '" + xid
                        + "'::xid) FROM " + schema + "." + name)) {
                    row.next();
                    long added = row.getLong(1) - before.get(name);
                    tables.add(new Table(name, added, Math.max(0, row.getLong(2) - added)));
                }
            }
            return new Written(operations, tables, request, metadata, eventType);
        } catch (SQLException e) {
            throw new IllegalStateException("counting what a batch writes failed", e);
        }
    }

    private static long number(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
