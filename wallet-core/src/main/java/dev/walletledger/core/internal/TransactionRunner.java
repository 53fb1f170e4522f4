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
import javax.sql.DataSource;

/**
 * Runs units of work in database transactions, retrying a bounded number of times
 * ({@link LedgerConfig#attemptsMax()}) with exponential backoff and full jitter when the failure is a
 * conflict (40001, 40P01, a concurrent duplicate reference) or a lost connection. Earlier failures are
 * kept as suppressed exceptions of the one finally thrown.
 */
public final class TransactionRunner {
    /** A unit of work on one connection; may run several times, so it must not keep state between runs. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final LedgerConfig config;
    private final Counters counters;
    private final String beginWrite;

    public TransactionRunner(DataSource dataSource, LedgerConfig config, Counters counters) {
        this.dataSource = dataSource;
        this.config = config;
        this.counters = counters;
        // One round trip: the isolation level, then the planner settings that keep every statement of the
        // write on its indexes (see IndexPlans).
        this.beginWrite = "SET TRANSACTION ISOLATION LEVEL " + sqlName(config.isolation()) + "; " + IndexPlans.SET_LOCAL;
    }

    /** Runs {@code work} in a read-write transaction at the configured isolation level. */
    public <T> T write(Work<T> work, int operations) {
        return run(work, beginWrite, operations);
    }

    /** Runs {@code work} in a read-only transaction that sees one snapshot of the whole ledger. */
    public <T> T snapshot(Work<T> work) {
        return run(work, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0);
    }

    /** Runs a read of one statement (its own snapshot), retrying only lost connections. */
    public <T> T read(Work<T> work) {
        return run(work, null, 0);
    }

    private <T> T run(Work<T> work, String begin, int operations) {
        List<Throwable> earlier = new ArrayList<>();
        for (int attempt = 1; attempt <= config.attemptsMax(); attempt++) {
            long started = System.nanoTime();
            try {
                T result = attempt(work, begin);
                if (begin != null && operations > 0) {
                    counters.committed.increment();
                    config.listener().committed(operations, System.nanoTime() - started);
                }
                return result;
            } catch (SQLException | RuntimeException failure) {
                if (failure instanceof WalletException wallet) {
                    throw wallet; // a refusal decided by the work itself: final
                }
                Failure kind = Failure.of(failure);
                if (kind == Failure.UNEXPECTED) {
                    throw WalletException.of(ErrorCode.INTERNAL_ERROR,
                            "the database failed unexpectedly (SQLState " + Failure.sqlState(failure) + ")",
                            Map.of("sql_state", Failure.sqlState(failure)), failure);
                }
                if (kind == Failure.CONNECTION) {
                    counters.storageFailures.increment();
                }
                if (attempt >= config.attemptsMax()) {
                    throw exhausted(kind, failure, earlier, attempt);
                }
                earlier.add(failure);
                long backoff = backoffMillis(attempt);
                counters.retries.increment();
                config.listener().retrying(Failure.sqlState(failure), attempt, backoff);
                sleep(backoff);
            }
        }
        throw new AssertionError("the last attempt either returns or throws");
    }

    private <T> T attempt(Work<T> work, String begin) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean transaction = begin != null || !connection.getAutoCommit();
            if (begin != null) {
                connection.setAutoCommit(false);
            }
            try {
                if (begin != null) {
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
                : "the database is unavailable after " + attempts + " attempts; try again";
        WalletException exception = WalletException.of(code, message,
                Map.of("attempts", attempts, "sql_state", Failure.sqlState(last)), last);
        earlier.forEach(exception::addSuppressed);
        return exception;
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
    private long backoffMillis(int attempt) {
        long ceiling = Math.min(config.backoffMaxMillis(),
                config.backoffBaseMillis() << Math.min(attempt - 1, 20));
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
