package dev.walletledger.core.internal;

import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletKind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;

/** Loads recorded transactions with their entries, by reference ids or by ids, and their reversals. */
public final class TransactionReader {
    // The transactions are found by the WHERE clause below (a unique index), and everything else from
    // them through LATERAL subqueries that the planner cannot flatten (OFFSET 0): each runs once per row
    // before it, with that row's key as a parameter, on the one index that matches it (primary keys,
    // ledger_entries_transaction_wallet_key). No ORDER BY either, which an index could be walked whole to
    // serve: rows are grouped and ordered here, in Java. The request's fields come as two arrays (names,
    // values) in name order.
    private static final String SELECT = """
            SELECT t.id, t.type, t.reference_id, t.amount, t.reverses,
                   ARRAY(SELECT f.key FROM jsonb_each_text(t.request) f ORDER BY f.key),
                   ARRAY(SELECT f.value FROM jsonb_each_text(t.request) f ORDER BY f.key),
                   t.metadata::text, t.created_at, a.code, t.actor,
                   e.id, e.wallet_id, w.kind, w.owner_id, e.direction, e.amount, e.balance_after
              FROM {schema}.ledger_transactions t
             CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = t.asset_id OFFSET 0) a
             CROSS JOIN LATERAL (SELECT e.id, e.wallet_id, e.direction, e.amount, e.balance_after
                                   FROM {schema}.ledger_entries e WHERE e.transaction_id = t.id OFFSET 0) e
             CROSS JOIN LATERAL (SELECT w.kind, w.owner_id FROM {schema}.wallets w WHERE w.id = e.wallet_id OFFSET 0) w
            """;

    private final String byReferences;
    private final String byIds;
    private final String reversals;

    public TransactionReader(SqlText sql) {
        // Driven by ledger_transactions_reference_key or the primary key; then the entries' index and
        // primary-key probes of wallets and asset_types. Pinned (IndexPlans): they run on their own and
        // inside write transactions alike.
        this.byReferences = IndexPlans.pinned(sql.format(SELECT + " WHERE t.reference_id = ANY (?)"));
        this.byIds = IndexPlans.pinned(sql.format(SELECT + " WHERE t.id = ANY (?)"));
        // ledger_transactions_reverses_idx, by the one transaction named.
        this.reversals = IndexPlans.pinned(sql.format("""
                SELECT r.id, r.type, r.amount FROM {schema}.ledger_transactions r
                 WHERE r.reverses = ? AND r.reverses IS NOT NULL
                """));
    }

    /** The recorded transactions among these reference ids, keyed by reference id. */
    public Map<String, TransactionResult> byReferences(Connection connection, Collection<String> references)
            throws SQLException {
        if (references.isEmpty()) {
            return Map.of();
        }
        try (PreparedStatement statement = connection.prepareStatement(byReferences)) {
            Array array = connection.createArrayOf("text", references.toArray(new String[0]));
            statement.setArray(1, array);
            Map<String, TransactionResult> found = new LinkedHashMap<>();
            for (TransactionResult result : read(statement)) {
                found.put(result.referenceId(), result);
            }
            return found;
        }
    }

    /** The recorded transactions among these ids, keyed by id. */
    public Map<UUID, TransactionResult> byIds(Connection connection, Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
        try (PreparedStatement statement = connection.prepareStatement(byIds)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray(new UUID[0])));
            Map<UUID, TransactionResult> found = new LinkedHashMap<>();
            for (TransactionResult result : read(statement)) {
                found.put(result.transactionId(), result);
            }
            return found;
        }
    }

    public Optional<TransactionResult> byId(Connection connection, UUID id) throws SQLException {
        return Optional.ofNullable(byIds(connection, List.of(id)).get(id));
    }

    /** The transaction with the reversals and chargebacks that take it back, oldest first. */
    public TransactionResult withReversals(Connection connection, TransactionResult transaction) throws SQLException {
        List<TransactionResult.Reversal> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(reversals)) {
            statement.setObject(1, transaction.transactionId());
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    found.add(new TransactionResult.Reversal(
                            rows.getObject(1, UUID.class), OperationType.valueOf(rows.getString(2)), rows.getLong(3)));
                }
            }
        }
        found.sort(Comparator.comparing(TransactionResult.Reversal::transactionId)); // version 7: time order
        return transaction.withReversals(found);
    }

    /** One result per transaction, in the order first seen; its entries in entry order. */
    private static List<TransactionResult> read(PreparedStatement statement) throws SQLException {
        Map<UUID, Loaded> byId = new LinkedHashMap<>();
        try (ResultSet rows = IndexPlans.query(statement)) {
            while (rows.next()) {
                Loaded loaded = byId.get(rows.getObject(1, UUID.class));
                if (loaded == null) {
                    loaded = new Loaded(
                            rows.getObject(1, UUID.class),
                            operation(rows, 2),
                            rows.getString(10),
                            rows.getLong(4),
                            rows.getObject(5, UUID.class),
                            rows.getObject(9, OffsetDateTime.class).toInstant(),
                            rows.getString(11),
                            new TreeMap<>());
                    byId.put(loaded.id, loaded);
                }
                loaded.entries.put(rows.getLong(12), entry(rows, 13));
            }
        }
        List<TransactionResult> results = new ArrayList<>(byId.size());
        for (Loaded loaded : byId.values()) {
            results.add(new TransactionResult(
                    loaded.id,
                    loaded.operation,
                    loaded.assetCode,
                    loaded.amount,
                    loaded.reverses,
                    loaded.createdAt,
                    loaded.actor,
                    List.copyOf(loaded.entries.values()),
                    List.of(),
                    false));
        }
        return results;
    }

    /** A transaction as its rows arrive; entries by entry id. */
    private record Loaded(
            UUID id,
            Operation operation,
            String assetCode,
            long amount,
            UUID reverses,
            Instant createdAt,
            String actor,
            TreeMap<Long, Entry> entries) {}

    /**
     * The recorded request from the columns at {@code column}: type, reference id, amount, reverses, field
     * names, field values, metadata (shared with the audit).
     */
    static Operation operation(ResultSet rows, int column) throws SQLException {
        OperationType type = OperationType.valueOf(rows.getString(column));
        String[] names = (String[]) rows.getArray(column + 4).getArray();
        String[] values = (String[]) rows.getArray(column + 5).getArray();
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            fields.put(names[i], values[i]);
        }
        return Operation.fromFields(
                type, rows.getString(column + 1), fields, Metadata.parse(rows.getString(column + 6)));
    }

    /** An entry from the columns at {@code column}: wallet id, kind, owner, direction, amount, balance after. */
    static Entry entry(ResultSet rows, int column) throws SQLException {
        long balanceAfter = rows.getLong(column + 5);
        OptionalLong after = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(balanceAfter);
        return new Entry(
                rows.getLong(column),
                WalletKind.valueOf(rows.getString(column + 1)),
                rows.getString(column + 2),
                Direction.valueOf(rows.getString(column + 3)),
                rows.getLong(column + 4),
                after);
    }
}
