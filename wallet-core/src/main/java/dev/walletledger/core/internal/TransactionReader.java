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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Loads recorded transactions with their entries, by reference ids or by ids, and their reversals. Every
 * column is read by its name.
 */
final class TransactionReader {
    /** The columns of a recorded request, shared with the audit: type, reference, fields, metadata. */
    static final String REQUEST_COLUMNS = """
            t.type, t.reference_id,
                   ARRAY(SELECT f.key FROM jsonb_each_text(t.request) f ORDER BY f.key) AS field_names,
                   ARRAY(SELECT f.value FROM jsonb_each_text(t.request) f ORDER BY f.key) AS field_values,
                   t.metadata::text AS metadata""";

    // The transactions are found by the WHERE clause below (a unique index), and everything else from
    // them through LATERAL subqueries that the planner cannot flatten (OFFSET 0): each runs once per row
    // before it, with that row's key as a parameter, on the one index that matches it (primary keys,
    // ledger_entries_transaction_wallet_key). No ORDER BY either, which an index could be walked whole to
    // serve: rows are grouped and ordered here, in Java. The request's fields come as two arrays (names,
    // values) in name order.
    private static final String SELECT = """
            SELECT t.id, t.amount, t.reverses, t.created_at, a.code AS asset_code, t.actor, t.asset_id,
                   t.hold_remaining, %s,
                   e.id AS entry_id, e.wallet_id, w.kind, w.owner_id, w.account, e.direction,
                   e.amount AS entry_amount, e.balance_after
              FROM {schema}.ledger_transactions t
             CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = t.asset_id OFFSET 0) a
             CROSS JOIN LATERAL (SELECT e.id, e.wallet_id, e.direction, e.amount, e.balance_after
                                   FROM {schema}.ledger_entries e WHERE e.transaction_id = t.id OFFSET 0) e
             CROSS JOIN LATERAL (SELECT w.kind, w.owner_id, w.account FROM {schema}.wallets w
                                  WHERE w.id = e.wallet_id OFFSET 0) w
            """.formatted(REQUEST_COLUMNS);

    /** A user's balance as of a transaction: the owner, asset and the transaction's first entry id. */
    private record AsOf(String owner, int assetId, long beforeEntryId) {}

    private static final Columns<AsOf> AS_OF = Columns.of(
            Columns.column("owner_id", "text", AsOf::owner),
            Columns.column("asset_id", "int4", AsOf::assetId),
            Columns.column("before_id", "int8", AsOf::beforeEntryId));

    private final Accounts accounts;
    private final String byReferencesQuery;
    private final String byReferences;
    private final String byIds;
    private final String reversals;
    private final String balancesAsOf;

    TransactionReader(SqlText sql, Accounts accounts) {
        this.accounts = accounts;
        // Driven by ledger_transactions_reference_key or the primary key; then the entries' index and
        // primary-key probes of wallets and asset_types. Pinned (IndexPlans): they run on their own and
        // inside write transactions alike.
        this.byReferencesQuery = sql.format(SELECT + " WHERE t.reference_id = ANY (?)");
        this.byReferences = IndexPlans.pinned(byReferencesQuery);
        this.byIds = IndexPlans.pinned(sql.format(SELECT + " WHERE t.id = ANY (?)"));
        // ledger_transactions_reverses_idx, by the one transaction named.
        this.reversals = IndexPlans.pinned(sql.format("""
                SELECT r.id, r.type, r.amount FROM {schema}.ledger_transactions r
                 WHERE r.reverses = ? AND r.reverses IS NOT NULL
                """));
        // Each account of a user's wallet (wallets_owner_key, owner and asset fixed), with its balance before a
        // given entry: a backward walk of ledger_entries_wallet_idx from that entry, stopped at the first row.
        // A writer locks every account of a wallet it touches (Locks), so an account's entries before the
        // transaction's first entry are exactly those committed before it.
        this.balancesAsOf = IndexPlans.pinned(sql.format("""
                SELECT k.owner_id, k.asset_id, k.before_id, w.account, COALESCE(b.balance_after, 0) AS balance
                  FROM %s
                 CROSS JOIN LATERAL (SELECT w.id, w.account FROM {schema}.wallets w
                                      WHERE w.kind = 'USER' AND w.owner_id = k.owner_id AND w.asset_id = k.asset_id
                                      OFFSET 0) w
                  LEFT JOIN LATERAL (SELECT e.balance_after FROM {schema}.ledger_entries e
                                      WHERE e.wallet_id = w.id AND e.id < k.before_id
                                      ORDER BY e.wallet_id DESC, e.id DESC
                                      LIMIT 1) b ON true
                """.formatted(AS_OF.unnest("k"))));
    }

    /**
     * The query behind {@link #byReferences}, without its planner settings: one {@code text[]} parameter, for a
     * statement of several inside a write transaction (which has the settings). Read its rows with
     * {@link #results}.
     */
    String byReferencesQuery() {
        return byReferencesQuery;
    }

    /** The recorded transactions among these reference ids, keyed by reference id. */
    Map<String, TransactionResult> byReferences(Connection connection, Collection<String> references)
            throws SQLException {
        if (references.isEmpty()) {
            return Map.of();
        }
        try (PreparedStatement statement = connection.prepareStatement(byReferences)) {
            Array array = connection.createArrayOf("text", references.toArray(new String[0]));
            statement.setArray(1, array);
            Map<String, TransactionResult> found = new LinkedHashMap<>();
            for (TransactionResult result : read(connection, statement)) {
                found.put(result.referenceId(), result);
            }
            return found;
        }
    }

    /** The recorded transactions among these ids, keyed by id. */
    Map<UUID, TransactionResult> byIds(Connection connection, Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
        try (PreparedStatement statement = connection.prepareStatement(byIds)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray(new UUID[0])));
            Map<UUID, TransactionResult> found = new LinkedHashMap<>();
            for (TransactionResult result : read(connection, statement)) {
                found.put(result.transactionId(), result);
            }
            return found;
        }
    }

    Optional<TransactionResult> byId(Connection connection, UUID id) throws SQLException {
        return Optional.ofNullable(byIds(connection, List.of(id)).get(id));
    }

    /** The transaction with the reversals and chargebacks that take it back, oldest first. */
    TransactionResult withReversals(Connection connection, TransactionResult transaction) throws SQLException {
        List<TransactionResult.Reversal> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(reversals)) {
            statement.setObject(1, transaction.transactionId());
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    found.add(new TransactionResult.Reversal(
                            rows.getObject("id", UUID.class),
                            OperationType.valueOf(rows.getString("type")),
                            rows.getLong("amount")));
                }
            }
        }
        found.sort(Comparator.comparing(TransactionResult.Reversal::transactionId)); // version 7: time order
        return transaction.withReversals(found);
    }

    /** A transaction as its rows arrive; entries by entry id. */
    private static final class Loaded {
        final UUID id;
        final Operation operation;
        final String assetCode;
        final int assetId;
        final long amount;
        final UUID reverses;
        final Instant createdAt;
        final String actor;
        final OptionalLong holdRemaining;
        final TreeMap<Long, Entry> entries = new TreeMap<>();

        Loaded(ResultSet rows) throws SQLException {
            this.id = rows.getObject("id", UUID.class);
            this.operation = operation(rows);
            this.assetCode = rows.getString("asset_code");
            this.assetId = rows.getInt("asset_id");
            this.amount = rows.getLong("amount");
            this.reverses = rows.getObject("reverses", UUID.class);
            this.createdAt = rows.getObject("created_at", OffsetDateTime.class).toInstant();
            this.actor = rows.getString("actor");
            long remaining = rows.getLong("hold_remaining");
            this.holdRemaining = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(remaining);
        }

        /** Each user's accounts in this transaction, by owner in the order of their first posting. */
        Map<String, List<Entry>> usersEntries() {
            Map<String, List<Entry>> users = new LinkedHashMap<>();
            for (Entry entry : entries.values()) {
                if (entry.walletKind() == WalletKind.USER) {
                    users.computeIfAbsent(entry.owner(), o -> new ArrayList<>()).add(entry);
                }
            }
            return users;
        }
    }

    /** One result per transaction, in the order first seen; its entries in entry order. */
    private List<TransactionResult> read(Connection connection, PreparedStatement statement) throws SQLException {
        try (ResultSet rows = IndexPlans.query(statement)) {
            return results(connection, rows);
        }
    }

    /**
     * The transactions in rows of the {@link #byReferencesQuery} shape, one result per transaction in the order
     * first seen; its entries in entry order. May send one more statement (balances elsewhere).
     */
    List<TransactionResult> results(Connection connection, ResultSet rows) throws SQLException {
        Map<UUID, Loaded> byId = new LinkedHashMap<>();
        while (rows.next()) {
            UUID id = rows.getObject("id", UUID.class);
            Loaded loaded = byId.get(id);
            if (loaded == null) {
                loaded = new Loaded(rows);
                byId.put(id, loaded);
            }
            loaded.entries.put(rows.getLong("entry_id"), entry(rows));
        }
        Map<AsOf, Map<String, Long>> elsewhere = balancesElsewhere(connection, byId.values());
        List<TransactionResult> results = new ArrayList<>(byId.size());
        for (Loaded loaded : byId.values()) {
            Map<String, Long> balances = new LinkedHashMap<>();
            long firstEntry = loaded.entries.firstKey();
            loaded.usersEntries().forEach((owner, entries) -> {
                long balance = 0;
                for (Entry entry : entries) {
                    if (accounts.counted(entry.account())) {
                        balance += entry.balanceAfter().orElseThrow();
                    }
                }
                Map<String, Long> others = elsewhere.get(new AsOf(owner, loaded.assetId, firstEntry));
                if (others != null) {
                    for (Map.Entry<String, Long> account : others.entrySet()) {
                        boolean inTransaction =
                                entries.stream().anyMatch(e -> e.account().equals(account.getKey()));
                        if (!inTransaction && accounts.counted(account.getKey())) {
                            balance += account.getValue();
                        }
                    }
                }
                balances.put(owner, balance);
            });
            results.add(new TransactionResult(
                    loaded.id,
                    loaded.operation,
                    loaded.assetCode,
                    loaded.amount,
                    loaded.reverses,
                    loaded.createdAt,
                    loaded.actor,
                    List.copyOf(loaded.entries.values()),
                    balances,
                    loaded.holdRemaining,
                    List.of(),
                    false));
        }
        return results;
    }

    /**
     * For each user whose transaction does not post to every account that counts toward the balance: the
     * balances of all the user's accounts just before the transaction. Empty when every transaction posts to all
     * of its users' counted accounts (then no statement is sent).
     */
    private Map<AsOf, Map<String, Long>> balancesElsewhere(Connection connection, Collection<Loaded> loaded)
            throws SQLException {
        Optional<Set<String>> counted = accounts.countedAccounts();
        List<AsOf> needed = new ArrayList<>();
        for (Loaded transaction : loaded) {
            long firstEntry = transaction.entries.firstKey();
            transaction.usersEntries().forEach((owner, entries) -> {
                Set<String> posted = entries.stream().map(Entry::account).collect(java.util.stream.Collectors.toSet());
                if (counted.isEmpty() || !posted.containsAll(counted.get())) {
                    needed.add(new AsOf(owner, transaction.assetId, firstEntry));
                }
            });
        }
        if (needed.isEmpty()) {
            return Map.of();
        }
        Map<AsOf, Map<String, Long>> found = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(balancesAsOf)) {
            AS_OF.bind(connection, statement, 1, needed);
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    found.computeIfAbsent(
                                    new AsOf(
                                            rows.getString("owner_id"),
                                            rows.getInt("asset_id"),
                                            rows.getLong("before_id")),
                                    k -> new LinkedHashMap<>())
                            .put(rows.getString("account"), rows.getLong("balance"));
                }
            }
        }
        return found;
    }

    /** The recorded request from its named columns (see {@link #REQUEST_COLUMNS}); shared with the audit. */
    static Operation operation(ResultSet rows) throws SQLException {
        OperationType type = OperationType.valueOf(rows.getString("type"));
        String[] names = (String[]) rows.getArray("field_names").getArray();
        String[] values = (String[]) rows.getArray("field_values").getArray();
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            fields.put(names[i], values[i]);
        }
        return Operation.fromFields(
                type, rows.getString("reference_id"), fields, Metadata.parse(rows.getString("metadata")));
    }

    /** An entry from its named columns: wallet id, kind, owner, account, direction, amount, balance after. */
    private static Entry entry(ResultSet rows) throws SQLException {
        long balanceAfter = rows.getLong("balance_after");
        OptionalLong after = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(balanceAfter);
        return new Entry(
                rows.getLong("wallet_id"),
                WalletKind.valueOf(rows.getString("kind")),
                rows.getString("owner_id"),
                rows.getString("account"),
                Direction.valueOf(rows.getString("direction")),
                rows.getLong("entry_amount"),
                after);
    }
}
