package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * R6, Jepsen's ledger double-spend over HTTP at every isolation level the server supports: fund a wallet
 * with X, fire k concurrent spends of 0.9·X with distinct reference ids (released together by a latch),
 * over many wallets. At most one spend wins per attack (exactly one: the wallet is funded), the losers
 * get 422 INSUFFICIENT_FUNDS, the balance is X − 0.9·X, and every snapshot conserves each asset.
 */
class DoubleSpendTest {
    @ParameterizedTest
    @EnumSource(IsolationLevel.class)
    void concurrentSpendsNeverOverdraw(IsolationLevel isolation) throws Exception {
        Run run = Run.start("R6 double spend " + isolation);
        Random random = run.random();
        String schema = TestDatabase.newSchemaName();
        int attacks = run.pick(20, 300);
        int overdrafts = 0;
        int busyRetries = 0;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Set<String> users = new java.util.HashSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (LedgerService service = LedgerService.start(TestDatabase.jdbcUrl(), schema, isolation, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 50, 60_000);
            for (int a = 0; a < attacks; a++) {
                String user = "victim_" + run.seed() % 100_000 + "_" + a;
                users.add(user);
                long funds = 1_000 + random.nextInt(100_000);
                long spend = funds * 9 / 10;
                int k = 2 + random.nextInt(31);
                Op fund = new Op("fund-" + user, Op.Type.TOPUP, user, funds);
                client.execute(fund);
                assertEquals(Op.Status.ACKNOWLEDGED, fund.status, fund.history());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Op>> spends = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    Op op = new Op("spend-" + user + "-" + i, Op.Type.SPEND, user, spend);
                    spends.add(pool.submit(() -> {
                        go.await(30, TimeUnit.SECONDS);
                        client.execute(op);
                        latencies.add((op.settledNanos - op.invokedNanos) / 1_000);
                        return op;
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<Op> future : spends) {
                    Op op = future.get(120, TimeUnit.SECONDS);
                    won += op.status == Op.Status.ACKNOWLEDGED ? 1 : 0;
                    busyRetries += op.attempts.size() - 1;
                    assertTrue(
                            op.status == Op.Status.ACKNOWLEDGED || op.status == Op.Status.REFUSED,
                            op.history() + " " + op.unexpected);
                }
                overdrafts += Math.max(0, won - 1);
                assertEquals(
                        1,
                        won,
                        "attack " + a + " on " + user + " (k=" + k + "): exactly one spend wins, seed " + run.seed());
                List<String> violations =
                        LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema).violations(users);
                assertTrue(violations.isEmpty(), violations.toString());
                assertEquals(
                        funds - spend,
                        LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema)
                                .userBalances(HttpLedgerClient.ASSET)
                                .get(user));
            }
            long retries = service.ledger.metrics().retries();
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            run.summary("R6 isolation=" + isolation + " attacks=" + attacks + " spends=" + sorted.size()
                    + " successful_overdrafts=" + overdrafts + " server_retries(40001/40P01/23505)=" + retries
                    + " client_retries_after_503=" + busyRetries + " latency_ms p50="
                    + sorted.get(sorted.size() / 2) / 1000.0 + " p99=" + sorted.get(sorted.size() * 99 / 100) / 1000.0);
        } finally {
            pool.shutdownNow();
        }
    }
}
