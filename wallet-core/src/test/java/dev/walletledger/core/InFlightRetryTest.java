package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The retry of a spend still in flight: both attempts wait for the wallet's lock (held here by the
 * test), the first commits, and the second must answer with the first's result, not with
 * INSUFFICIENT_FUNDS for the funds the first spent (found by the reliability suite over HTTP).
 */
class InFlightRetryTest {
    @ParameterizedTest
    @EnumSource(IsolationLevel.class)
    void theRetryOfASpendInFlightReplaysIt(IsolationLevel isolation) throws Exception {
        LedgerConfig config = LedgerConfig.defaults().withIsolation(isolation).withCoalescing(0, 1, 1, 1_000);
        try (TestLedger t = TestDatabase.newLedger(config, 4)) {
            Ledger ledger = t.ledger();
            ledger.topUp(Operation.topUp("busy_user", "GOLD_COINS", 1_000, "fund"));
            Operation.Spend spend = Operation.spend("busy_user", "GOLD_COINS", 900, "spend-once");
            List<CompletableFuture<String>> attempts = new ArrayList<>();
            try (Connection lock = TestDatabase.superuser()) {
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute(
                            "SELECT 1 FROM " + t.schema() + ".wallets WHERE owner_id = 'busy_user' FOR UPDATE");
                }
                for (int attempt = 0; attempt < 2; attempt++) {
                    attempts.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return ledger.spend(spend).replayed() ? "replayed" : "applied";
                        } catch (WalletException e) {
                            return e.code().name();
                        }
                    }));
                    Thread.sleep(300); // let the attempt look up its reference and queue for the lock
                }
                lock.commit();
            }
            List<String> answers = new ArrayList<>();
            for (CompletableFuture<String> attempt : attempts) {
                answers.add(attempt.get(30, TimeUnit.SECONDS));
            }
            answers.sort(null);
            assertEquals(List.of("applied", "replayed"), answers, isolation.toString());
            assertEquals(100, ledger.balance("busy_user", "GOLD_COINS").balance());
            assertTrue(ledger.verify().consistent());
        }
    }
}
