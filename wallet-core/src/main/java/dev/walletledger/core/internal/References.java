package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.runtime.JsonReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each reference id bound to the first outcome of a request made under it (see V3): a write claims its
 * references before anything else, and learns what the others are bound to.
 *
 * <p>Claiming is one {@code INSERT ... ON CONFLICT DO NOTHING} into {@code ledger_references}, in ascending
 * order: an attempt whose reference another attempt holds (inserted, not committed) waits for it, on any
 * node. It goes in the write's first round trip, after the transaction's opening settings and, when the write
 * knows its wallets already, before their locks. What the statement did not insert is bound already; then, and
 * only then, two statements in one more round trip, each with its own snapshot, read what those references are
 * bound to: a refusal ({@code ledger_refusals}) or a transaction. At REPEATABLE READ and SERIALIZABLE a
 * reference bound by a transaction that committed after this one's snapshot fails the claim with a
 * serialization error, and the write is retried with a fresh one.
 *
 * <p>A reference the claim inserted is bound to nothing (an outcome is inserted only under a reference its own
 * transaction holds, see V3), so it is not looked up: at SERIALIZABLE such a lookup, finding nothing, still
 * takes a predicate lock on the index page where the reference would be, the page where writers with nearby
 * references insert their transactions, and turned unrelated writes into serialization failures (README,
 * "Isolation default"). A new reference thus costs no round trip of its own.
 */
final class References {
    /** What a reference is bound to. */
    sealed interface Bound permits AppliedTo, RefusedWith {}

    /** A transaction: the request was applied. */
    record AppliedTo(TransactionResult result) implements Bound {}

    /** A refusal: the request as it was made, and what it was told. */
    record RefusedWith(Operation request, WalletException refusal) implements Bound {}

    /** The references this write now holds, and what each of the others is bound to. */
    record Claim(Set<String> claimed, Map<String, Bound> bound) {}

    /** A refusal to bind: the operation, who asked, and what it was told. */
    record Refusal(Operation operation, String actor, WalletException error) {}

    /** The refusals a write inserts, one row each, described once. */
    static final Columns<Refusal> REFUSALS = Columns.of(
            Columns.column("reference_id", "text", r -> r.operation().referenceId()),
            Columns.column("type", "text", r -> r.operation().type().name()),
            Columns.column(
                    "request", "text", r -> Metadata.of(r.operation().fields()).json()),
            Columns.column("metadata", "text", r -> r.operation().metadata().json()),
            Columns.column("fingerprint", "text", r -> Idempotency.fingerprintHex(r.operation())),
            Columns.column("actor", "text", Refusal::actor),
            Columns.column("error_code", "text", r -> r.error().code().name()),
            Columns.column("error_message", "text", r -> r.error().getMessage()),
            Columns.column(
                    "error_details",
                    "text",
                    r -> Metadata.of(r.error().details()).json()));

    /** The {@code SELECT} list that {@link #REFUSALS} rows are inserted from, out of an unnest aliased {@code v}. */
    static final String REFUSAL_VALUES = "v.reference_id, v.type, v.request::jsonb, v.metadata::jsonb,"
            + " decode(v.fingerprint, 'hex'), v.actor, v.error_code, v.error_message, v.error_details::jsonb";

    /** How deep stored error details may nest (they are flat maps and lists). */
    private static final int DETAILS_DEPTH_MAX = 4;

    private final TransactionReader reader;
    private final String claim;
    private final String bound;

    References(SqlText sql, TransactionReader reader) {
        this.reader = reader;
        // The claim (sorted, then inserted in that order: each conflict check a probe of the primary key); then,
        // for the references it did not insert, one round trip of two statements: the refusals and the
        // transactions under them (a primary or unique key probe each). The write transaction's planner settings
        // apply (it began with them).
        this.claim = sql.format("""
                INSERT INTO {schema}.ledger_references (reference_id)
                SELECT r.reference_id FROM unnest(?::text[]) AS r(reference_id) ORDER BY r.reference_id COLLATE "C"
                    ON CONFLICT (reference_id) DO NOTHING
                RETURNING reference_id
                """);
        this.bound = sql.format("""
                SELECT %s, t.error_code, t.error_message, t.error_details::text AS error_details
                  FROM {schema}.ledger_refusals t WHERE t.reference_id = ANY (?);
                %s""".formatted(TransactionReader.REQUEST_COLUMNS, reader.byReferencesQuery()));
    }

    /**
     * Claims {@code references} (distinct) for this write, waiting for any other attempt that holds one, and
     * reads what the others are bound to. Every reference ends up in exactly one of the two.
     */
    Claim claim(Connection connection, Collection<String> references) throws SQLException {
        return claim(connection, references, null, null).claim();
    }

    /** A claim, and the wallets locked in the same round trip (when asked for). */
    record Claimed(Claim claim, Locks.Locked locked) {}

    /**
     * As {@link #claim(Connection, Collection)}, in one round trip with the transaction's {@code opening} ahead
     * of it (the statements a write transaction begins with; null: none) and {@code lock} after it (null: none).
     * The lock runs whatever the claim finds: it asks for every wallet the write would touch if each reference
     * were new, a superset of what the claimed ones need (a write touches only what it plans).
     */
    Claimed claim(Connection connection, Collection<String> references, String opening, Locks.Request lock)
            throws SQLException {
        if (references.isEmpty()) {
            if (opening != null) {
                try (java.sql.Statement statement = connection.createStatement()) {
                    statement.execute(opening);
                }
            }
            return new Claimed(new Claim(Set.of(), Map.of()), lock == null ? null : lock.run(connection));
        }
        Set<String> claimed = new LinkedHashSet<>();
        Map<String, Bound> bound = new LinkedHashMap<>();
        Locks.Locked locked = null;
        String sql = (opening == null ? "" : opening + ";\n") + claim + (lock == null ? "" : ";\n" + lock.sql());
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("text", references.toArray(new String[0])));
            if (lock != null) {
                lock.bind(connection, statement, 2);
            }
            statement.execute();
            while (statement.getResultSet() == null) { // past the opening's settings
                Invariants.require(
                        statement.getMoreResults() || statement.getUpdateCount() != -1,
                        "the claim returns the references it inserted");
            }
            try (ResultSet rows = statement.getResultSet()) {
                while (rows.next()) {
                    claimed.add(rows.getString("reference_id"));
                }
            }
            if (lock != null) {
                statement.getMoreResults();
                try (ResultSet rows = Locks.lockRows(statement)) {
                    locked = lock.finish(connection, rows);
                }
            }
        }
        List<String> others =
                references.stream().filter(r -> !claimed.contains(r)).toList();
        if (!others.isEmpty()) { // nothing is bound yet under a reference this write just claimed
            lookUp(connection, others, bound);
        }
        for (String reference : references) {
            Invariants.require(
                    claimed.contains(reference) != bound.containsKey(reference),
                    "reference " + reference + " is either claimed by this write or bound to an outcome");
        }
        return new Claimed(new Claim(claimed, bound), locked);
    }

    /** What each of {@code others}, references the claim did not insert, is bound to, into {@code bound}. */
    private void lookUp(Connection connection, List<String> others, Map<String, Bound> bound) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(this.bound)) {
            String[] array = others.toArray(new String[0]);
            for (int parameter = 1; parameter <= 2; parameter++) {
                statement.setArray(parameter, connection.createArrayOf("text", array));
            }
            Invariants.require(statement.execute(), "the refusals' lookup returns rows");
            try (ResultSet rows = statement.getResultSet()) {
                while (rows.next()) {
                    bound.put(rows.getString("reference_id"), refused(rows));
                }
            }
            Invariants.require(statement.getMoreResults(), "the refusals' lookup is followed by the transactions'");
            try (ResultSet rows = statement.getResultSet()) {
                for (TransactionResult result : reader.results(connection, rows)) {
                    Invariants.require(
                            bound.put(result.referenceId(), new AppliedTo(result)) == null,
                            "reference " + result.referenceId() + " is bound to a transaction and a refusal");
                }
            }
        }
    }

    private static RefusedWith refused(ResultSet rows) throws SQLException {
        Operation request = TransactionReader.operation(rows);
        ErrorCode code = ErrorCode.valueOf(rows.getString("error_code"));
        Object details = JsonReader.read(rows.getString("error_details"), DETAILS_DEPTH_MAX);
        return new RefusedWith(
                request, WalletException.replay(code, rows.getString("error_message"), details((Map<?, ?>) details)));
    }

    /** Stored details as the API gives them: integral numbers as {@code Long}, lists and maps as they were. */
    private static Map<String, Object> details(Map<?, ?> stored) {
        Map<String, Object> details = new LinkedHashMap<>();
        stored.forEach((key, value) -> details.put((String) key, value(value)));
        return details;
    }

    private static Object value(Object stored) {
        if (stored instanceof BigDecimal number) {
            try {
                return number.longValueExact();
            } catch (ArithmeticException notIntegral) {
                return number;
            }
        }
        if (stored instanceof List<?> list) {
            return list.stream().map(References::value).toList();
        }
        if (stored instanceof Map<?, ?> map) {
            return details(map);
        }
        return stored;
    }
}
