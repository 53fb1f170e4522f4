package dev.walletledger.core.internal;

import dev.walletledger.core.Event;
import dev.walletledger.core.EventPage;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletControls;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The event feed (V6): the sequencer that gives events their feed positions, and the reads by position.
 *
 * <p>Why positions, and why one sequencer: writers insert their events with ids drawn under their wallet locks, but
 * commit in any order, so a reader paging by id could pass an id whose event commits later. The sequencer numbers
 * the events it can see, in id order, one run at a time (it holds {@code ledger_event_sequencer}'s row), each run's
 * positions after the last run's; a reader pages by position, so what it has passed is final. Along one wallet,
 * positions follow its entries: a change of the wallet waited for the earlier change's commit, so any run that sees
 * it sees the earlier one too, with a smaller id. Any node runs the sequencer (a reader runs it before it reads; the
 * server also runs it in the background); a run that finds the row taken leaves the work to its holder.
 */
final class EventFeed {
    /** The most events one sequencer run numbers: bounds its transaction; the next run goes on. */
    static final int SEQUENCE_RUN_MAX = 10_000;

    private final TransactionReader reader;
    private final ControlStore controls;
    private final String claim;
    private final String place;
    private final String read;
    private final String end;

    EventFeed(SqlText sql, TransactionReader reader, ControlStore controls) {
        this.reader = reader;
        this.controls = controls;
        // SKIP LOCKED: a run already going on will number what this one would.
        this.claim = sql.format("""
                SELECT placed FROM {schema}.ledger_event_sequencer WHERE id = 1 FOR UPDATE SKIP LOCKED
                """);
        // A statement of its own, after the claim: its snapshot is taken once the row is held, so it sees every
        // event the previous run numbered (and everything committed before it). ledger_events_unplaced_idx, in id
        // order, stopped by the LIMIT.
        this.place = sql.format("""
                WITH pending AS (
                    SELECT e.id, row_number() OVER (ORDER BY e.id) AS n
                      FROM {schema}.ledger_events e
                     WHERE e.position IS NULL
                     ORDER BY e.id
                     LIMIT ?
                ), placed AS (
                    UPDATE {schema}.ledger_events e SET position = ? + p.n
                      FROM pending p
                     WHERE e.id = p.id
                    RETURNING 1
                )
                UPDATE {schema}.ledger_event_sequencer SET placed = placed + (SELECT count(*) FROM placed)
                 WHERE id = 1
                RETURNING placed
                """);
        this.end = sql.format("SELECT placed FROM {schema}.ledger_event_sequencer WHERE id = 1");
        // The page and the last position given, in one snapshot: when the page is short, every event up to that
        // position was looked at, so the next read can start after it.
        this.read = sql.format("""
                SELECT s.placed, e.id, e.position, e.type, e.transaction_id, e.control_id, e.created_at
                  FROM {schema}.ledger_event_sequencer s
                  LEFT JOIN LATERAL (
                       SELECT e.* FROM {schema}.ledger_events e
                        WHERE e.position > ? AND (cardinality(?::text[]) = 0 OR e.type = ANY (?::text[]))
                        ORDER BY e.position
                        LIMIT ?) e ON true
                 WHERE s.id = 1
                 ORDER BY e.position
                """);
    }

    /**
     * One sequencer run, in the caller's transaction (which must be READ COMMITTED, so the numbering statement sees
     * what committed while it waited for nothing): numbers up to {@link #SEQUENCE_RUN_MAX} events. Returns how many,
     * or -1 when another run holds the sequencer.
     */
    int sequence(Connection connection) throws SQLException {
        long placed;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(claim)) {
            if (!rows.next()) {
                return -1;
            }
            placed = rows.getLong(1);
        }
        try (PreparedStatement statement = connection.prepareStatement(place)) {
            statement.setInt(1, SEQUENCE_RUN_MAX);
            statement.setLong(2, placed);
            try (ResultSet rows = statement.executeQuery()) {
                Invariants.require(rows.next(), "the sequencer has its row");
                long now = rows.getLong(1);
                Invariants.require(now >= placed, "positions only grow");
                return (int) (now - placed);
            }
        }
    }

    /** The cursor of the feed's end: the last position given. */
    String end(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(end)) {
            Invariants.require(rows.next(), "the sequencer has its row");
            return Long.toString(rows.getLong(1));
        }
    }

    /** Up to {@code limit} events after position {@code after}, of {@code types} (empty: all). */
    EventPage read(Connection connection, long after, Set<String> types, int limit) throws SQLException {
        record Row(long id, long position, String type, UUID transaction, Long control, OffsetDateTime at) {}
        List<Row> rows = new ArrayList<>();
        long placed;
        try (PreparedStatement statement = connection.prepareStatement(read)) {
            java.sql.Array typed = connection.createArrayOf("text", types.toArray(new String[0]));
            statement.setLong(1, after);
            statement.setArray(2, typed);
            statement.setArray(3, typed);
            statement.setInt(4, limit);
            try (ResultSet result = statement.executeQuery()) {
                placed = 0;
                while (result.next()) {
                    placed = result.getLong("placed");
                    if (result.getObject("id") != null) {
                        rows.add(new Row(
                                result.getLong("id"),
                                result.getLong("position"),
                                result.getString("type"),
                                result.getObject("transaction_id", UUID.class),
                                (Long) result.getObject("control_id"),
                                result.getObject("created_at", OffsetDateTime.class)));
                    }
                }
            }
        }
        Set<UUID> transactionIds = new LinkedHashSet<>();
        Set<Long> controlIds = new LinkedHashSet<>();
        for (Row row : rows) {
            if (row.transaction() != null) {
                transactionIds.add(row.transaction());
            } else {
                controlIds.add(row.control());
            }
        }
        Map<UUID, TransactionResult> transactions = reader.byIds(connection, transactionIds);
        Map<Long, WalletControls> changes = controls.changes(connection, controlIds);
        List<Event> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            Optional<TransactionResult> transaction = row.transaction() == null
                    ? Optional.empty()
                    : Optional.ofNullable(transactions.get(row.transaction()));
            Optional<WalletControls> change =
                    row.control() == null ? Optional.empty() : Optional.ofNullable(changes.get(row.control()));
            Invariants.require(
                    transaction.isPresent() || change.isPresent(), "an event's transaction or change is there");
            Optional<String> actor = transaction.isPresent()
                    ? Optional.ofNullable(transaction.get().actor())
                    : change.get().actor();
            events.add(new Event(
                    "evt_" + row.id(),
                    Long.toString(row.position()),
                    row.type(),
                    row.at().toInstant(),
                    actor,
                    transaction,
                    change));
        }
        long next = rows.size() == limit ? rows.get(rows.size() - 1).position() : Math.max(after, placed);
        return new EventPage(events, Long.toString(next));
    }
}
