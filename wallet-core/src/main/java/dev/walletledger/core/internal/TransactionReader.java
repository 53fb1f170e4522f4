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
    private static final String SELECT = """
            SELECT t.id, t.type, t.reference_id, t.amount, t.payment_method, t.bonus_type, t.item_id,
                   t.metadata::text, t.created_at, a.code, u.owner_id,
                   e.wallet_id, w.kind, w.owner_id, e.direction, e.amount, e.balance_after, t.actor
              FROM {schema}.ledger_transactions t
              JOIN {schema}.asset_types a ON a.id = t.asset_id
              JOIN {schema}.wallets u ON u.id = t.user_wallet_id
              JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
              JOIN {schema}.wallets w ON w.id = e.wallet_id
            """;

    private final String byReferences;
    private final String byId;

    public TransactionReader(SqlText sql) {
        this.byReferences = sql.format(SELECT + " WHERE t.reference_id = ANY (?) ORDER BY t.id, e.id");
        this.byId = sql.format(SELECT + " WHERE t.id = ? ORDER BY e.id");
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

    /** Rows come ordered by transaction, two entries each; one result per transaction. */
    private static List<TransactionResult> read(PreparedStatement statement) throws SQLException {
        List<TransactionResult> results = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            UUID current = null;
            Operation operation = null;
            OffsetDateTime createdAt = null;
            String actor = null;
            long balanceAfter = 0;
            List<Entry> entries = new ArrayList<>();
            while (rows.next()) {
                UUID id = rows.getObject(1, UUID.class);
                if (!id.equals(current)) {
                    if (current != null) {
                        results.add(new TransactionResult(current, operation, balanceAfter, createdAt.toInstant(),
                                actor, entries, false));
                    }
                    current = id;
                    operation = operation(rows);
                    createdAt = rows.getObject(9, OffsetDateTime.class);
                    actor = rows.getString(18);
                    entries = new ArrayList<>();
                }
                Entry entry = entry(rows);
                if (entry.walletKind() == WalletKind.USER) {
                    balanceAfter = entry.balanceAfter().orElseThrow();
                }
                entries.add(entry);
            }
            if (current != null) {
                results.add(new TransactionResult(current, operation, balanceAfter, createdAt.toInstant(), actor,
                        entries, false));
            }
        }
        return results;
    }

    private static Operation operation(ResultSet rows) throws SQLException {
        OperationType type = OperationType.valueOf(rows.getString(2));
        String detail = switch (type) {
            case TOPUP -> rows.getString(5);
            case BONUS -> rows.getString(6);
            case SPEND -> rows.getString(7);
        };
        return Operation.of(type, rows.getString(11), rows.getString(10), rows.getLong(4), rows.getString(3), detail,
                Metadata.parse(rows.getString(8)));
    }

    private static Entry entry(ResultSet rows) throws SQLException {
        long balanceAfter = rows.getLong(17);
        OptionalLong after = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(balanceAfter);
        return new Entry(rows.getLong(12), WalletKind.valueOf(rows.getString(13)), rows.getString(14),
                Direction.valueOf(rows.getString(15)), rows.getLong(16), after);
    }
}
