package dev.walletledger.core.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What a database failure means for the caller, decided from SQLState (never from message text),
 * looking at most {@link #CAUSE_DEPTH_MAX} causes deep.
 */
enum Failure {
    /** Serialization failure, deadlock, or a concurrent insert of the same reference id: run it again. */
    CONFLICT,
    /** The connection or the server went away, perhaps mid-commit. Running again is safe: every write
     * carries its reference id, so a commit that did land is found and replayed, not applied twice. */
    CONNECTION,
    /**
     * The connection lost its prepared statements between transactions (26000, 42P05) or was handed over in
     * a failed transaction (25P02): a pooler in transaction mode (PgBouncer) sits in front of PostgreSQL
     * while the driver prepares statements on the server. A configuration mismatch, not a bug: nothing was
     * committed, and the caller is told how to fix it. Not retried (a retry would hide it).
     */
    POOLER,
    /** Anything else: a bug or a changed schema. Not retried. */
    UNEXPECTED;

    static final int CAUSE_DEPTH_MAX = 8;

    static final String REFERENCE_CONSTRAINT = "ledger_transactions_reference_key";

    static Failure of(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < CAUSE_DEPTH_MAX; depth++) {
            if (current instanceof SQLTransientConnectionException) {
                return CONNECTION; // the pool could not hand out a connection in time
            }
            if (current instanceof SQLException sql && sql.getSQLState() != null) {
                return ofState(sql.getSQLState(), constraint(sql));
            }
            current = current.getCause();
        }
        return UNEXPECTED;
    }

    static String sqlState(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < CAUSE_DEPTH_MAX; depth++) {
            if (current instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            current = current.getCause();
        }
        return "none";
    }

    private static Failure ofState(String state, String constraint) {
        if (state.equals("40001") || state.equals("40P01")) {
            return CONFLICT;
        }
        if (state.equals("23505") && REFERENCE_CONSTRAINT.equals(constraint)) {
            return CONFLICT;
        }
        if (state.equals("26000") // invalid_sql_statement_name: prepared statement "S_4" does not exist
                || state.equals("42P05") // duplicate_prepared_statement
                || state.equals("25P02")) { // in_failed_sql_transaction, on a connection we did not fail
            return POOLER;
        }
        if (state.startsWith("08") // connection exception
                || state.equals("57P01") // admin_shutdown
                || state.equals("57P02") // crash_shutdown
                || state.equals("57P03") // cannot_connect_now (starting up, recovering)
                || state.equals("53300") // too_many_connections
                || state.equals("55P03") // lock_not_available (lock_timeout)
                || state.equals("25006")) { // read_only_sql_transaction (a standby during failover)
            return CONNECTION;
        }
        return UNEXPECTED;
    }

    private static String constraint(SQLException failure) {
        if (failure instanceof PSQLException psql) {
            ServerErrorMessage message = psql.getServerErrorMessage();
            return message == null ? null : message.getConstraint();
        }
        return null;
    }
}
