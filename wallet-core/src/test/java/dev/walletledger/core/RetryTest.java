package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forces failures from inside the database: a trigger on ledger_transactions raises a chosen SQLState
 * while a sequence (which rollbacks do not undo) is below a threshold.
 */
class RetryTest {
    private static final int ATTEMPTS = 4;

    static final class Recorder implements LedgerListener {
        final List<String> retried = new ArrayList<>();

        @Override
        public synchronized void retrying(String sqlState, int attempt, long backoffMillis) {
            retried.add(sqlState + "#" + attempt);
        }
    }

    private static TestLedger ledger(Recorder recorder) {
        return TestDatabase.newLedger(
                LedgerConfig.defaults().withRetries(ATTEMPTS, 1, 5).withListener(recorder), 4);
    }

    private static void failFirst(String schema, int failures, String sqlState) throws SQLException {
        TestDatabase.execute("""
                CREATE SEQUENCE {s}.forced_failures;
                CREATE FUNCTION {s}.force_failure() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('{s}.forced_failures') <= %d THEN
                        RAISE EXCEPTION 'forced by the test' USING ERRCODE = '%s';
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER force_failure AFTER INSERT ON {s}.ledger_transactions
                    FOR EACH STATEMENT EXECUTE FUNCTION {s}.force_failure();
                """.formatted(failures, sqlState).replace("{s}", schema));
    }

    @ParameterizedTest
    @ValueSource(strings = {"40001", "40P01"})
    void conflictsAreRetriedUntilTheyPass(String sqlState) throws SQLException {
        Recorder recorder = new Recorder();
        try (TestLedger t = ledger(recorder)) {
            failFirst(t.schema(), ATTEMPTS - 1, sqlState);
            TransactionResult r = t.ledger().topUp(Operation.topUp("ann", "GOLD_COINS", 100, "retry-1"));
            assertFalse(r.replayed());
            assertEquals(List.of(sqlState + "#1", sqlState + "#2", sqlState + "#3"), recorder.retried);
            assertEquals(ATTEMPTS - 1, t.ledger().metrics().retries());
            assertEquals(1, t.ledger().verify().transactions(), "applied exactly once");
            assertEquals(100, t.ledger().balance("ann", "GOLD_COINS").balance());
        }
    }

    @Test
    void retriesAreBoundedAndEndInBusyWithNothingWritten() throws SQLException {
        Recorder recorder = new Recorder();
        try (TestLedger t = ledger(recorder)) {
            failFirst(t.schema(), ATTEMPTS, "40001");
            WalletException e = assertThrows(
                    WalletException.class,
                    () -> t.ledger().topUp(Operation.topUp("ann", "GOLD_COINS", 100, "retry-2")));
            assertEquals(ErrorCode.BUSY, e.code());
            assertTrue(e.code().retryable());
            assertEquals(ATTEMPTS, e.details().get("attempts"));
            assertEquals(ATTEMPTS - 1, e.getSuppressed().length, "earlier failures are kept");
            assertEquals(ATTEMPTS - 1, recorder.retried.size());
            assertEquals(1, t.ledger().metrics().busy());
            assertTrue(t.ledger().transactionByReference("retry-2").isEmpty());
            assertEquals(0, t.ledger().verify().transactions());
            // The failures have run out: the same request now applies, once.
            assertEquals(
                    100,
                    t.ledger()
                            .topUp(Operation.topUp("ann", "GOLD_COINS", 100, "retry-2"))
                            .balanceAfter());
        }
    }

    @Test
    void lostConnectionsAreRetriedThenReportedUnavailable() throws SQLException {
        Recorder recorder = new Recorder();
        try (TestLedger t = ledger(recorder)) {
            failFirst(t.schema(), ATTEMPTS, "08006");
            WalletException e = assertThrows(
                    WalletException.class,
                    () -> t.ledger().topUp(Operation.topUp("ann", "GOLD_COINS", 100, "retry-3")));
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code());
            assertEquals(ATTEMPTS - 1, recorder.retried.size());
        }
    }

    @Test
    void unexpectedFailuresAreNotRetried() throws SQLException {
        Recorder recorder = new Recorder();
        try (TestLedger t = ledger(recorder)) {
            failFirst(t.schema(), 1, "22012");
            WalletException e = assertThrows(
                    WalletException.class,
                    () -> t.ledger().topUp(Operation.topUp("ann", "GOLD_COINS", 100, "retry-4")));
            assertEquals(ErrorCode.INTERNAL_ERROR, e.code());
            assertEquals("22012", e.details().get("sql_state"));
            assertFalse(e.getMessage().contains("forced by the test"), "no SQL text in the message");
            assertTrue(recorder.retried.isEmpty());
        }
    }
}
