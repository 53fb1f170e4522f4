package dev.walletledger.core.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The planner settings under which every statement of the write path and of the point reads (balance,
 * history, transaction lookups) runs: no sequential scans, no hash joins, no merge joins. Each of those
 * statements is written to be driven by the rows it names (ids, references, owner keys bound as
 * parameters or arrays) through an index whose leading columns it fixes by equality, so a nested loop of
 * index probes is always a plan; these settings make it the plan.
 *
 * <p>Why the statement shapes alone are not enough: PostgreSQL plans from its statistics, and a pooled
 * connection keeps the plan of each prepared statement (a generic plan after a few executions) until
 * something invalidates it, such as an ANALYZE. Plans made while the tables were empty, or statistics that
 * lag a bulk load, make a sequential scan look cheaper than an index probe, and that plan then serves a
 * ledger of millions of rows: the per-operation cost grows with the table until autovacuum gets round to
 * ANALYZE. With these settings the planner's estimates only choose among index plans, which cost in
 * proportion to the rows named, whatever the statistics say. Full scans remain for the audit, which reads
 * everything on purpose and does not use these settings.
 *
 * <p>The settings are local to the transaction: {@link #SET_LOCAL} opens a write transaction, and
 * {@link #pinned} puts them in front of a statement that runs on its own (autocommit), where the extended
 * protocol runs both statements in one implicit transaction, so they never outlive it on a pooled
 * connection. The database's own checks (the schema's trigger functions) carry the same settings.
 */
final class IndexPlans {
    private static final List<String> OFF = List.of("enable_seqscan", "enable_hashjoin", "enable_mergejoin");

    /** For the start of a transaction block: {@code SET LOCAL} of each setting. */
    static final String SET_LOCAL =
            OFF.stream().map(name -> "SET LOCAL " + name + " = off").collect(Collectors.joining("; "));

    /** One statement that sets them for the rest of the current (possibly implicit) transaction. */
    private static final String SELECT_SET = OFF.stream()
            .map(name -> "set_config('" + name + "', 'off', true)")
            .collect(Collectors.joining(", ", "SELECT ", ";\n"));

    private IndexPlans() {}

    /**
     * {@code sql} preceded by the settings, sent in the same round trip. Run it with {@link #query}; the
     * parameters keep their positions (the settings take none).
     */
    static String pinned(String sql) {
        return SELECT_SET + sql;
    }

    /** Executes a {@link #pinned} statement and returns the result of its query. */
    static ResultSet query(PreparedStatement statement) throws SQLException {
        statement.execute(); // the settings' one row
        Invariants.require(
                statement.getMoreResults(), "a pinned statement returns its query's result after its settings");
        return statement.getResultSet();
    }
}
