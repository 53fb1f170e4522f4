package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One lane, held up by a row lock a superuser takes, so the next operations queue and are then
 * committed together: each keeps its own outcome, refusals do not fail their neighbours.
 */
class CoalescingTest {
    private static final long WAIT_MILLIS = 30_000;

    @Test
    void queuedOperationsShareOneTransactionAndKeepTheirOwnOutcomes() throws Exception {
        LedgerConfig config = LedgerConfig.defaults().withCoalescing(1, 500, 1_000, 60_000);
        try (TestLedger t = TestDatabase.newLedger(config, 4)) {
            Ledger ledger = t.ledger();
            ledger.topUp(Operation.topUp("blocker", "GOLD_COINS", 1, "setup-1"));
            ledger.topUp(Operation.topUp("rich", "GOLD_COINS", 1_000, "setup-2"));
            long batchesBefore = ledger.metrics().coalescedBatches();

            List<Operation> queued = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                queued.add(Operation.spend("rich", "GOLD_COINS", 30, "spend-" + i)); // 33 fit in 1,000
            }
            for (int i = 0; i < 10; i++) {
                queued.add(Operation.topUp("new-" + i, "GOLD_COINS", 5, "new-" + i));
            }
            queued.add(Operation.spend("nobody", "GOLD_COINS", 1, "no-wallet"));
            queued.add(Operation.topUp("rich", "RUBIES", 1, "no-asset"));
            queued.add(Operation.topUp("rich", "GOLD_COINS", 1_000, "setup-2")); // a replay
            // A conflict with another committed transaction. Not with setup-2: two queued requests under one
            // reference make the second follow the first, and a follower whose leader is refused (the
            // conflict) runs on its own, in a batch of its own: a third batch whenever the pool's threads
            // queued the conflict first (seen in CI).
            queued.add(Operation.topUp("rich", "GOLD_COINS", 999, "setup-1"));

            ExecutorService pool = Executors.newFixedThreadPool(queued.size() + 1);
            Map<String, Integer> outcomes = new TreeMap<>();
            try (Connection lock = TestDatabase.superuser()) {
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute("SELECT 1 FROM " + t.schema() + ".wallets WHERE owner_id = 'blocker' FOR UPDATE");
                }
                Future<TransactionResult> blocked =
                        pool.submit(() -> ledger.topUp(Operation.topUp("blocker", "GOLD_COINS", 1, "blocked")));
                waitFor(
                        () -> lockWaiters() == 1,
                        "the lane to wait for the blocker's row"); // queued()==0 holds before it is queued
                List<Future<String>> futures = new ArrayList<>();
                for (Operation operation : queued) {
                    futures.add(pool.submit(() -> {
                        try {
                            return ledger.apply(operation).replayed() ? "REPLAYED" : "APPLIED";
                        } catch (WalletException e) {
                            return e.code().name();
                        }
                    }));
                }
                waitFor(() -> ledger.metrics().queued() == queued.size(), "every operation to queue");
                lock.commit(); // release: the lane finishes the blocked top-up, then takes the whole queue
                assertEquals(2, blocked.get(WAIT_MILLIS, TimeUnit.MILLISECONDS).balanceAfter());
                for (Future<String> future : futures) {
                    outcomes.merge(future.get(WAIT_MILLIS, TimeUnit.MILLISECONDS), 1, Integer::sum);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(
                    Map.of(
                            "APPLIED",
                            33 + 10,
                            "INSUFFICIENT_FUNDS",
                            7,
                            "WALLET_NOT_FOUND",
                            1,
                            "ASSET_NOT_FOUND",
                            1,
                            "REPLAYED",
                            1,
                            "IDEMPOTENCY_CONFLICT",
                            1),
                    outcomes);
            assertEquals(
                    batchesBefore + 2,
                    ledger.metrics().coalescedBatches(),
                    "the blocked top-up, then everything queued behind it in one transaction");
            assertEquals(10, ledger.balance("rich", "GOLD_COINS").balance());
            AuditReport audit = ledger.verify();
            assertTrue(audit.consistent(), audit.toString());
            assertEquals(3 + 43, audit.transactions());
        }
    }

    @Test
    void closingFinishesWhatIsQueuedAndRefusesWhatComesAfter() {
        LedgerConfig config = LedgerConfig.defaults().withCoalescing(2, 10, 100, 10_000);
        TestLedger t = TestDatabase.newLedger(config, 4);
        try {
            t.ledger().topUp(Operation.topUp("late", "GOLD_COINS", 1, "before-close"));
            t.ledger().close();
            WalletException e = org.junit.jupiter.api.Assertions.assertThrows(
                    WalletException.class,
                    () -> t.ledger().topUp(Operation.topUp("late", "GOLD_COINS", 1, "after-close")));
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code());
        } finally {
            t.dataSource().close();
        }
    }

    /**
     * A retry must never be refused while its own first attempt is still queued and later applies: the
     * client would keep "refused" as the answer of a spend that happened. The order is forced with row
     * locks (two lanes): the first attempt waits in a batch behind a locked wallet; the retry is taken by
     * the other lane, finds too little money and no transaction under its reference; then a top-up lands,
     * the lock is released and the first attempt applies. Seen in the fault suite (R3, pause), where a
     * paused PostgreSQL queued every attempt of one spend.
     */
    @Test
    void aRetryWhileItsFirstAttemptIsQueuedAnswersWithTheFirstsOutcome() throws Exception {
        LedgerConfig config = LedgerConfig.defaults().withCoalescing(2, 500, 1_000, 60_000);
        try (TestLedger t = TestDatabase.newLedger(config, 6)) {
            Ledger ledger = t.ledger();
            for (String owner : List.of("x_hold", "y_hold", "v_gate")) {
                ledger.topUp(Operation.topUp(owner, "GOLD_COINS", 1, "setup-" + owner));
            }
            ledger.topUp(Operation.topUp("w_payer", "GOLD_COINS", 100, "setup-w"));
            Operation.Spend spend = Operation.spend("w_payer", "GOLD_COINS", 150, "spend-once");
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try (Connection x = rowLock(t, "x_hold");
                    Connection y = rowLock(t, "y_hold");
                    Connection v = rowLock(t, "v_gate")) {
                pool.submit(() -> ledger.topUp(Operation.topUp("x_hold", "GOLD_COINS", 1, "b1")));
                waitFor(() -> lockWaiters() == 1, "lane 1 to wait for x_hold");
                pool.submit(() -> ledger.topUp(Operation.topUp("y_hold", "GOLD_COINS", 1, "b2")));
                waitFor(() -> lockWaiters() == 2, "lane 2 to wait for y_hold");
                pool.submit(() -> ledger.topUp(Operation.topUp("v_gate", "GOLD_COINS", 1, "t")));
                Future<TransactionResult> first = pool.submit(() -> ledger.spend(spend));
                waitFor(() -> ledger.metrics().queued() == 2, "the gate top-up and the first attempt to queue");
                y.commit(); // lane 2 takes [gate top-up, first attempt] and waits for v_gate
                waitFor(() -> ledger.metrics().queued() == 0 && lockWaiters() == 2, "lane 2 to wait at the gate");
                Future<TransactionResult> retry = pool.submit(() -> ledger.spend(spend));
                Thread.sleep(300); // the retry queues (or follows its first attempt)
                x.commit(); // lane 1 is free: without following, it evaluates the retry now, at 100 < 150
                waitFor(() -> lockWaiters() == 1 && ledger.metrics().queued() == 0, "lane 1 to finish");
                Thread.sleep(300);
                ledger.topUp(Operation.topUp("w_payer", "GOLD_COINS", 100, "later-credit")); // now 200
                v.commit(); // the first attempt applies: 200 >= 150
                TransactionResult applied = first.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                String answer;
                try {
                    TransactionResult again = retry.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    answer = again.transactionId().equals(applied.transactionId()) && again.replayed()
                            ? "replay of the first"
                            : "another transaction " + again.transactionId();
                } catch (java.util.concurrent.ExecutionException e) {
                    answer = "refused: " + e.getCause();
                }
                assertEquals(50, ledger.balance("w_payer", "GOLD_COINS").balance(), "the spend applied once");
                assertEquals("replay of the first", answer, "the retry's answer, while its first attempt applied");
                assertTrue(ledger.verify().consistent());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A superuser transaction holding the row lock of {@code owner}'s wallet until committed. */
    private static Connection rowLock(TestLedger t, String owner) throws java.sql.SQLException {
        Connection connection = TestDatabase.superuser();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1 FROM " + t.schema() + ".wallets WHERE owner_id = '" + owner + "' FOR UPDATE");
        }
        return connection;
    }

    /** Transactions waiting for a lock, anywhere on the server (this test's lanes, in practice). */
    private static int lockWaiters() {
        try (Connection c = TestDatabase.superuser();
                Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
