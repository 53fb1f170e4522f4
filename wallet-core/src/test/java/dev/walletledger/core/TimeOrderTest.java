package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Time never runs backwards along a wallet: many writers contend for the locks of a few wallets, and
 * afterwards every USER wallet's entries, in entry order, are dated in non-decreasing order, and each
 * wallet's last entry time is its last transaction's. With coalescing off (every operation its own
 * transaction, each waiting for the lock) and on (lanes contending). Prints its seed; re-run with
 * {@code -Dwallet.seed=N}.
 */
class TimeOrderTest {
    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 150;
    private static final String[] USERS = {"hot", "warm", "cool"};

    @ParameterizedTest(name = "lanes={0}")
    @ValueSource(ints = {0, 4})
    void entriesAreDatedInEntryOrderUnderContention(int lanes) throws Exception {
        long seed = Seeds.seed("TimeOrderTest lanes=" + lanes);
        LedgerConfig config = LedgerConfig.defaults().withRetries(50, 1, 50).withCoalescing(lanes, 500, 10_000, 60_000);
        try (TestLedger test = TestDatabase.newLedger(config, THREADS + 4)) {
            Ledger ledger = test.ledger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(seed + t);
                    int thread = t;
                    calls.add(pool.submit(() -> {
                        for (int i = 0; i < CALLS_PER_THREAD; i++) {
                            String user = USERS[random.nextInt(USERS.length)];
                            String reference = "t" + thread + "-" + i;
                            try {
                                ledger.apply(
                                        random.nextInt(3) == 0
                                                ? Operation.spend(user, "GOLD_COINS", 1 + random.nextInt(20), reference)
                                                : Operation.topUp(
                                                        user, "GOLD_COINS", 1 + random.nextInt(20), reference));
                            } catch (WalletException e) {
                                assertTrue(
                                        e.code() == ErrorCode.INSUFFICIENT_FUNDS
                                                || e.code() == ErrorCode.WALLET_NOT_FOUND,
                                        e.toString());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> call : calls) {
                    call.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long backwards = scalar(test.schema(), """
                    SELECT count(*) FROM (
                        SELECT t.created_at,
                               lag(t.created_at) OVER (PARTITION BY e.wallet_id ORDER BY e.id) AS previous
                          FROM {s}.ledger_entries e
                          JOIN {s}.ledger_transactions t ON t.id = e.transaction_id
                          JOIN {s}.wallets w ON w.id = e.wallet_id AND w.kind = 'USER') x
                     WHERE x.created_at < x.previous
                    """);
            long entries = scalar(test.schema(), """
                    SELECT count(*) FROM {s}.ledger_entries e JOIN {s}.wallets w ON w.id = e.wallet_id AND w.kind = 'USER'
                    """);
            System.out.println("TimeOrderTest lanes=" + lanes + ": " + backwards + " of " + entries
                    + " USER entries dated before the entry before them");
            assertTrue(entries > THREADS * CALLS_PER_THREAD / 2, "the workload applied most of its operations");
            assertEquals(0, backwards, "entries dated before the entry before them on their wallet");
            assertTrue(ledger.verify().consistent(), "the audit agrees");
        }
    }

    private static long scalar(String schema, String sql) throws SQLException {
        try (Connection connection = TestDatabase.superuser();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql.replace("{s}", schema))) {
            row.next();
            return row.getLong(1);
        }
    }
}
