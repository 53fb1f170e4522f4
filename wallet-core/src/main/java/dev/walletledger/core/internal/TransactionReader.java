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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** Loads recorded transactions with their entries, by reference ids or by id. */
public final class TransactionReader {
    // The transactions are found by the WHERE clause below (a unique index), and everything else from
    // them through LATERAL subqueries that the planner cannot flatten (OFFSET 0): each runs once per row
    // before it, with that row's key as a parameter, on the one index that matches it (primary keys,
    // ledger_entries_transaction_idx). No ORDER BY either, which an index could be walked whole to serve:
    // rows are grouped and ordered here, in Java.
    private static final String SELECT = """
            SELECT t.id, t.type, t.reference_id, t.amount, t.payment_method, t.bonus_type, t.item_id,
                   t.metadata::text, t.created_at, a.code, u.owner_id,
                   e.wallet_id, w.kind, w.owner_id, e.direction, e.amount, e.balance_after, t.actor, e.id
              FROM {schema}.ledger_transactions t
             CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = t.asset_id OFFSET 0) a
             CROSS JOIN LATERAL (SELECT u.owner_id FROM {schema}.wallets u WHERE u.id = t.user_wallet_id OFFSET 0) u
             CROSS JOIN LATERAL (SELECT e.id, e.wallet_id, e.direction, e.amount, e.balance_after
                                   FROM {schema}.ledger_entries e WHERE e.transaction_id = t.id OFFSET 0) e
             CROSS JOIN LATERAL (SELECT w.kind, w.owner_id FROM {schema}.wallets w WHERE w.id = e.wallet_id OFFSET 0) w
            """;

    private final String byReferences;
    private final String byId;

    public TransactionReader(SqlText sql) {
        // Driven by ledger_transactions_reference_key or the primary key; then ledger_entries_transaction_idx
        // and primary-key probes of wallets and asset_types. Pinned (IndexPlans): they run on their own and
        // inside write transactions alike.
        this.byReferences = IndexPlans.pinned(sql.format(SELECT + " WHERE t.reference_id = ANY (?)"));
        this.byId = IndexPlans.pinned(sql.format(SELECT + " WHERE t.id = ?"));
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

    public Optional<TransactionResult> byId(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(byId)) {
            statement.setObject(1, id);
            List<TransactionResult> results = read(statement);
            return results.isEmpty() ? Optional.empty() : Optional.of(results.get(0));
        }
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
                            operation(rows),
                            rows.getObject(9, OffsetDateTime.class).toInstant(),
                            rows.getString(18));
                    byId.put(loaded.id, loaded);
                }
                loaded.entries.put(rows.getLong(19), entry(rows));
            }
        }
        List<TransactionResult> results = new ArrayList<>(byId.size());
        for (Loaded loaded : byId.values()) {
            List<Entry> entries = List.copyOf(loaded.entries.values());
            long balanceAfter = entries.stream()
                    .filter(e -> e.walletKind() == WalletKind.USER)
                    .reduce((first, second) -> second)
                    .orElseThrow()
                    .balanceAfter()
                    .orElseThrow();
            results.add(new TransactionResult(
                    loaded.id, loaded.operation, balanceAfter, loaded.createdAt, loaded.actor, entries, false));
        }
        return results;
    }

    /** A transaction as its rows arrive; entries by entry id. */
    private record Loaded(
            UUID id,
            Operation operation,
            java.time.Instant createdAt,
            String actor,
            java.util.TreeMap<Long, Entry> entries) {
        Loaded(UUID id, Operation operation, java.time.Instant createdAt, String actor) {
            this(id, operation, createdAt, actor, new java.util.TreeMap<>());
        }
    }

    private static Operation operation(ResultSet rows) throws SQLException {
        OperationType type = OperationType.valueOf(rows.getString(2));
        String detail = rows.getString(type.detailField());
        return Operation.of(
                type,
                rows.getString(11),
                rows.getString(10),
                rows.getLong(4),
                rows.getString(3),
                detail,
                Metadata.parse(rows.getString(8)));
    }

    private static Entry entry(ResultSet rows) throws SQLException {
        long balanceAfter = rows.getLong(17);
        OptionalLong after = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(balanceAfter);
        return new Entry(
                rows.getLong(12),
                WalletKind.valueOf(rows.getString(13)),
                rows.getString(14),
                Direction.valueOf(rows.getString(15)),
                rows.getLong(16),
                after);
    }
}
