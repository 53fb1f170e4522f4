package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Runs units of work in database transactions, retrying a bounded number of times
 * ({@link LedgerConfig#attemptsMax()}) with exponential backoff and full jitter when the failure is a
 * conflict (40001, 40P01, a concurrent duplicate reference) or a lost connection. Earlier failures are
 * kept as suppressed exceptions of the one finally thrown.
 *
 * <p>Reads and writes also have a deadline, {@link LedgerConfig#waitMillisMax()}: no retry starts after it,
 * and each attempt's socket reads are cut at it ({@link Connection#setNetworkTimeout}), so a database that
 * stops answering (paused, partitioned) gives {@code STORAGE_UNAVAILABLE} instead of a caller stuck until
 * TCP gives up. Waiting for a pooled connection adds at most the pool's own timeout. Snapshot reads (the
 * audit, statistics, anchors) may read for long and have no deadline.
 */
final class TransactionRunner {
    /**
     * A decision the work made that ends its attempt: the transaction is rolled back and the exception reaches
     * the caller as it is, never retried. (A {@link WalletException} is one too.)
     */
    abstract static class Decided extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Decided(String message) {
            super(message, null, false, false);
        }
    }

    /** A unit of work on one connection; may run several times, so it must not keep state between runs. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final long NO_DEADLINE = 0;
    /** The shortest socket read limit an attempt gets, even when the deadline is nearer. */
    private static final int SOCKET_MILLIS_MIN = 500;

    private final DataSource dataSource;
    private final LedgerConfig config;
    private final Counters counters;
    private final String beginWrite;

    public TransactionRunner(DataSource dataSource, LedgerConfig config, Counters counters) {
        this.dataSource = dataSource;
        this.config = config;
        this.counters = counters;
        // The isolation level, the planner settings that keep every statement of the write on its indexes (see
        // IndexPlans), and generic plans: the write's statements are planned once per connection, not at every
        // call (PostgreSQL kept re-planning the write statement, whose custom plans it costs below the generic one:
        // ~0.9 ms of planning per call, measured with pg_stat_statements under 64 connections).
        this.beginWrite = "SET TRANSACTION ISOLATION LEVEL " + sqlName(config.isolation()) + "; " + IndexPlans.SET_LOCAL
                + "; SET LOCAL plan_cache_mode = force_generic_plan";
    }

    /** Runs {@code work} in a read-write transaction at the configured isolation level. */
    public <T> T write(Work<T> work, int operations) {
        return write(work, operations, config.waitMillisMax());
    }

    /** As {@link #write(Work, int)}, with an answer deadline of {@code deadlineMillis} from now. */
    public <T> T write(Work<T> work, int operations, long deadlineMillis) {
        return run(null, work, beginWrite, operations, config.attemptsMax(), deadlineMillis);
    }

    /**
     * A unit of write work that sends the transaction's opening itself ({@code opening}: the isolation level and
     * the planner settings, statements separated by {@code ;}), ahead of its first statement and in the same
     * round trip. Its first statement must be that one: nothing may run before it.
     */
    @FunctionalInterface
    public interface OpeningWork<T> {
        T run(Connection connection, String opening) throws SQLException;
    }

    /**
     * As {@link #write(Work, int, long)}, but {@code work} sends the opening with its first statement: a write
     * then costs one round trip fewer.
     */
    public <T> T writeOpening(OpeningWork<T> work, int operations, long deadlineMillis) {
        return run(null, c -> work.run(c, beginWrite), SENT_BY_WORK, operations, config.attemptsMax(), deadlineMillis);
    }

    /** A transaction whose opening the work sends itself ({@link #writeOpening}). */
    private static final String SENT_BY_WORK = "";

    /** The configured answer deadline of reads and writes. */
    long waitMillisMax() {
        return config.waitMillisMax();
    }

    private static final String SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    /** Runs {@code work} in a read-only transaction that sees one snapshot of the whole ledger. */
    public <T> T snapshot(Work<T> work) {
        return run(null, work, SNAPSHOT, 0, config.attemptsMax(), NO_DEADLINE);
    }

    /** Runs a read of one statement (its own snapshot), retrying only lost connections. */
    public <T> T read(Work<T> work) {
        return run(null, work, null, 0, config.attemptsMax(), config.waitMillisMax());
    }

    /** One attempt at a read of one statement, its socket reads cut after {@code deadlineMillis}. */
    public <T> T readOnce(Work<T> work, long deadlineMillis) {
        return run(null, work, null, 0, 1, deadlineMillis);
    }

    /**
     * One attempt on one connection, its socket reads cut after {@code deadlineMillis}: {@code gate} first,
     * in a statement of its own, then, if it answered true, {@code work} (in a snapshot transaction when
     * {@code snapshot}, else as a read of one statement). Empty when the gate said no.
     */
    public <T> java.util.Optional<T> readOnceIf(
            Work<Boolean> gate, Work<T> work, boolean snapshot, long deadlineMillis) {
        Object[] box = new Object[1];
        boolean ran = run(
                gate,
                c -> {
                    box[0] = work.run(c);
                    return true;
                },
                snapshot ? SNAPSHOT : null,
                0,
                1,
                deadlineMillis);
        @SuppressWarnings("unchecked")
        T value = (T) box[0];
        return ran ? java.util.Optional.of(value) : java.util.Optional.empty();
    }

    /** What a caller is told when a pooler in transaction mode meets server-side prepared statements. */
    static final String POOLER_MISMATCH = "the database connection lost its prepared statements between"
            + " transactions: a pooler in transaction mode (PgBouncer) is in front of PostgreSQL. Set"
            + " WALLET_PGBOUNCER=transaction on the server, or add prepareThreshold=0 to the database URL";

    /** @param gate null, or run first on the connection; when it answers false, so does the run (T is Boolean) */
    private <T> T run(
            Work<Boolean> gate, Work<T> work, String begin, int operations, int attemptsMax, long deadlineMillis) {
        List<Throwable> earlier = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        for (int attempt = 1; attempt <= attemptsMax; attempt++) {
            long started = System.nanoTime();
            try {
                int socketMillis = deadlineMillis == NO_DEADLINE
                        ? 0
                        : (int) Math.max(SOCKET_MILLIS_MIN, TimeUnit.NANOSECONDS.toMillis(deadline - started));
                T result = attempt(gate, work, begin, socketMillis);
                if (begin != null && operations > 0) {
                    counters.committed.increment();
                    config.listener().committed(operations, System.nanoTime() - started);
                }
                return result;
            } catch (SQLException | RuntimeException failure) {
                if (failure instanceof WalletException wallet) {
                    throw wallet; // a refusal decided by the work itself: final
                }
                if (failure instanceof Decided decided) {
                    throw decided;
                }
                if (failure instanceof Invariants.Violation violation) {
                    throw WalletException.of(ErrorCode.INTERNAL_ERROR, violation.getMessage(), Map.of(), violation);
                }
                Failure kind = Failure.of(failure);
                if (kind == Failure.UNEXPECTED) {
                    throw WalletException.of(
                            ErrorCode.INTERNAL_ERROR,
                            "the database failed unexpectedly (SQLState " + Failure.sqlState(failure) + ")",
                            Map.of("sql_state", Failure.sqlState(failure)),
                            failure);
                }
                if (kind == Failure.POOLER) {
                    counters.storageFailures.increment();
                    throw WalletException.of(
                            ErrorCode.STORAGE_UNAVAILABLE,
                            POOLER_MISMATCH + " (SQLState " + Failure.sqlState(failure) + "); nothing was written",
                            Map.of("sql_state", Failure.sqlState(failure), "cause", "pooler_mismatch"),
                            failure);
                }
                if (kind == Failure.CONNECTION) {
                    counters.storageFailures.increment();
                }
                long backoff = backoffMillis(attempt);
                boolean late = deadlineMillis != NO_DEADLINE
                        && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - deadline >= 0;
                if (attempt >= attemptsMax || late) {
                    throw exhausted(kind, failure, earlier, attempt);
                }
                earlier.add(failure);
                counters.retries.increment();
                config.listener().retrying(Failure.sqlState(failure), attempt, backoff);
                sleep(backoff);
            }
        }
        throw new AssertionError("the last attempt either returns or throws");
    }

    /** @param socketMillis how long any one socket read may wait (0: no limit) */
    @SuppressWarnings("unchecked")
    private <T> T attempt(Work<Boolean> gate, Work<T> work, String begin, int socketMillis) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (socketMillis > 0) {
                connection.setNetworkTimeout(Runnable::run, socketMillis); // the pool restores it on return
            }
            if (gate != null && !gate.run(connection)) {
                return (T) Boolean.FALSE;
            }
            boolean transaction = begin != null || !connection.getAutoCommit();
            if (begin != null) {
                connection.setAutoCommit(false);
            }
            try {
                if (begin != null && !begin.isEmpty()) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute(begin);
                    }
                }
                T result = work.run(connection);
                if (transaction) {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException failure) {
                if (transaction) {
                    rollbackQuietly(connection, failure);
                }
                throw failure;
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }

    private WalletException exhausted(Failure kind, Throwable last, List<Throwable> earlier, int attempts) {
        ErrorCode code = kind == Failure.CONFLICT ? ErrorCode.BUSY : ErrorCode.STORAGE_UNAVAILABLE;
        if (code == ErrorCode.BUSY) {
            counters.busy.increment();
        }
        String message = code == ErrorCode.BUSY
                ? "the ledger is busy: " + attempts + " attempts met conflicting transactions; try again"
                : "the database did not answer (" + attempts + (attempts == 1 ? " attempt" : " attempts")
                        + "); try again";
        WalletException exception = WalletException.of(
                code, message, Map.of("attempts", attempts, "sql_state", Failure.sqlState(last)), last);
        earlier.forEach(exception::addSuppressed);
        return exception;
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
    private long backoffMillis(int attempt) {
        long ceiling = Math.min(config.backoffMaxMillis(), config.backoffBaseMillis() << Math.min(attempt - 1, 20));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw WalletException.of(ErrorCode.STORAGE_UNAVAILABLE, "interrupted while waiting to retry", Map.of(), e);
        }
    }

    private static String sqlName(IsolationLevel level) {
        return switch (level) {
            case READ_COMMITTED -> "READ COMMITTED";
            case REPEATABLE_READ -> "REPEATABLE READ";
            case SERIALIZABLE -> "SERIALIZABLE";
        };
    }
}
