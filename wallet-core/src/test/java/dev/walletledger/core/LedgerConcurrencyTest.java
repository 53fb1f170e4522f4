package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many threads, few wallets, every isolation level: conservation, no negative balance, exactly-once
 * effects per reference, zero deadlocks. Each test prints its seed; re-run with -Dwallet.seed=N.
 */
class LedgerConcurrencyTest {
    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 120;
    private static final long WAIT_SECONDS = 120;
    private static final String[] USERS = {"u0", "u1", "u2", "u3", "u4", "u5"};
    private static final String[] ASSETS = {"GOLD_COINS", "DIAMONDS"};

    /** Counts retries by SQLState; a deadlock would show up here as 40P01. */
    static final class RetryCounter implements LedgerListener {
        final Map<String, LongAdder> bySqlState = new ConcurrentHashMap<>();

        @Override
        public void retrying(String sqlState, int attempt, long backoffMillis) {
            bySqlState.computeIfAbsent(sqlState, s -> new LongAdder()).increment();
        }

        long count(String sqlState) {
            LongAdder adder = bySqlState.get(sqlState);
            return adder == null ? 0 : adder.sum();
        }
    }

    static TestLedger ledgerAt(IsolationLevel isolation, RetryCounter retries) {
        return ledgerAt(isolation, retries, LedgerConfig.defaults().lanes());
    }

    static TestLedger ledgerAt(IsolationLevel isolation, RetryCounter retries, int lanes) {
        LedgerConfig config = LedgerConfig.defaults()
                .withIsolation(isolation)
                .withRetries(50, 1, 50)
                .withCoalescing(lanes, 500, 10_000, 60_000)
                .withListener(retries);
        return TestDatabase.newLedger(config, THREADS + lanes);
    }

    /** Every isolation level, with single operations coalesced (4 lanes) and applied one by one (0). */
    static Stream<Arguments> isolationAndLanes() {
        return Stream.of(IsolationLevel.values()).flatMap(i -> Stream.of(Arguments.of(i, 4), Arguments.of(i, 0)));
    }

    static long seed(String test, IsolationLevel isolation) {
        return Seeds.seed(test + "[" + isolation + "]");
    }

    @ParameterizedTest(name = "{0}, lanes={1}")
    @MethodSource("isolationAndLanes")
    void randomOperationsKeepEveryInvariant(IsolationLevel isolation, int lanes) throws Exception {
        long seed = seed("randomOperations", isolation);
        RetryCounter retries = new RetryCounter();
        try (TestLedger t = ledgerAt(isolation, retries, lanes)) {
            Ledger ledger = t.ledger();
            Map<String, Operation> applied = new ConcurrentHashMap<>(); // reference -> operation, first effect
            LongAdder replays = new LongAdder();
            LongAdder refusals = new LongAdder();
            LongAdder busy = new LongAdder();
            Set<String> busyReferences = ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                Random random = new Random(seed + thread);
                String prefix = "t" + thread + "-";
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Operation> sent = new ArrayList<>();
                    for (int call = 0; call < CALLS_PER_THREAD; call++) {
                        List<Operation> operations = new ArrayList<>();
                        int size = random.nextInt(10) < 3 ? 2 + random.nextInt(7) : 1;
                        for (int i = 0; i < size; i++) {
                            if (!sent.isEmpty() && random.nextInt(10) == 0) {
                                operations.add(sent.get(random.nextInt(sent.size()))); // a replay
                            } else {
                                operations.add(randomOperation(random, prefix + call + "-" + i));
                            }
                        }
                        sent.addAll(operations);
                        try {
                            List<Outcome> outcomes = operations.size() == 1
                                    ? List.of(outcome(ledger, operations.get(0)))
                                    : ledger.submit(Batch.independent(operations))
                                            .outcomes();
                            for (Outcome o : outcomes) {
                                if (o instanceof Outcome.Applied a && a.result().replayed()) {
                                    replays.increment();
                                } else if (o instanceof Outcome.Applied a) {
                                    Operation previous = applied.putIfAbsent(
                                            a.result().referenceId(), a.result().operation());
                                    assertEquals(
                                            null,
                                            previous,
                                            "applied twice: " + a.result().referenceId());
                                } else {
                                    refusals.increment();
                                }
                            }
                        } catch (WalletException e) {
                            assertEquals(ErrorCode.BUSY, e.code(), e.toString());
                            busy.increment();
                            operations.forEach(op -> busyReferences.add(op.referenceId()));
                        }
                    }
                    return null;
                }));
            }
            // Jepsen-style bank reads while the writers run: each snapshot must sum to zero per asset.
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Future<Integer> reader = Executors.newSingleThreadExecutor().submit(() -> {
                int reads = 0;
                while (writing.get() && reads < 10_000) {
                    for (LedgerStats.AssetStats asset : ledger.stats().assets()) {
                        assertEquals(
                                0,
                                asset.sum().signum(),
                                "a snapshot of " + asset.assetCode() + " sums to " + asset.sum() + " seed=" + seed);
                        assertTrue(asset.userBalances().signum() >= 0);
                    }
                    reads++;
                }
                return reads;
            });
            start.countDown();
            for (Future<?> future : futures) {
                future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            pool.shutdown();
            writing.set(false);
            int snapshotReads = reader.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(snapshotReads > 0);

            // Calls that ran out of retries were rolled back: none of their operations may have landed
            // unless another call applied the same reference.
            for (String reference : busyReferences) {
                if (!applied.containsKey(reference)) {
                    assertTrue(ledger.transactionByReference(reference).isEmpty(), reference);
                }
            }
            Map<String, Long> expected = new HashMap<>();
            for (Operation op : applied.values()) {
                var fields = op.fields();
                long amount = Long.parseLong(fields.get("amount"));
                expected.merge(
                        fields.get("user_id") + "/" + fields.get("asset_code"),
                        op.type() == OperationType.SPEND ? -amount : amount,
                        Long::sum);
            }
            for (String user : USERS) {
                for (Balance balance : ledger.balances(user)) {
                    assertEquals(
                            expected.getOrDefault(user + "/" + balance.assetCode(), 0L),
                            balance.balance(),
                            user + " " + balance.assetCode() + " seed=" + seed);
                    assertTrue(balance.balance() >= 0);
                }
            }
            AuditReport audit = ledger.verify();
            assertTrue(audit.consistent(), audit + " seed=" + seed);
            assertEquals(applied.size(), audit.transactions(), "exactly one transaction per applied reference");
            for (LedgerStats.AssetStats asset : ledger.stats().assets()) {
                assertEquals(0, asset.sum().signum(), asset.assetCode() + " must sum to zero");
            }
            assertEquals(0, retries.count("40P01"), "deadlocks: " + retries.bySqlState);
            LedgerMetrics m = ledger.metrics();
            System.out.printf(
                    "randomOperations[%s, lanes=%d]: applied=%d replays=%d refused=%d busy=%d retries=%s"
                            + " coalesced=%d ops in %d transactions, snapshot reads=%d%n",
                    isolation,
                    lanes,
                    applied.size(),
                    replays.sum(),
                    refusals.sum(),
                    busy.sum(),
                    retries.bySqlState,
                    m.coalescedOperations(),
                    m.coalescedBatches(),
                    snapshotReads);
        }
    }

    @ParameterizedTest(name = "{0}, lanes={1}")
    @MethodSource("isolationAndLanes")
    void aDoubleSpendAttackHasExactlyOneWinner(IsolationLevel isolation, int lanes) throws Exception {
        RetryCounter retries = new RetryCounter();
        int attackers = 12;
        int wallets = 8;
        long funds = 1_000;
        try (TestLedger t = ledgerAt(isolation, retries, lanes)) {
            Ledger ledger = t.ledger();
            ExecutorService pool = Executors.newFixedThreadPool(attackers);
            for (int w = 0; w < wallets; w++) {
                String victim = "victim-" + w;
                ledger.topUp(Operation.topUp(victim, "GOLD_COINS", funds, "fund-" + w));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Outcome>> shots = new ArrayList<>();
                for (int k = 0; k < attackers; k++) {
                    Operation spend = Operation.spend(victim, "GOLD_COINS", funds * 9 / 10, "attack-" + w + "-" + k);
                    shots.add(pool.submit(() -> {
                        start.await();
                        return outcome(ledger, spend);
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Outcome> shot : shots) {
                    Outcome o = shot.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    if (o instanceof Outcome.Applied) {
                        winners++;
                    } else {
                        assertEquals(
                                ErrorCode.INSUFFICIENT_FUNDS,
                                assertInstanceOf(Outcome.Refused.class, o)
                                        .error()
                                        .code());
                    }
                }
                assertEquals(1, winners, victim + " at " + isolation);
                assertEquals(funds / 10, ledger.balance(victim, "GOLD_COINS").balance());
            }
            pool.shutdown();
            assertTrue(ledger.verify().consistent());
            assertEquals(0, retries.count("40P01"));
        }
    }

    @ParameterizedTest(name = "{0}, lanes={1}")
    @MethodSource("isolationAndLanes")
    void concurrentIdenticalRequestsMakeOneTransaction(IsolationLevel isolation, int lanes) throws Exception {
        RetryCounter retries = new RetryCounter();
        int callers = 16;
        try (TestLedger t = ledgerAt(isolation, retries, lanes)) {
            Ledger ledger = t.ledger();
            for (int round = 0; round < 5; round++) {
                Operation topUp = Operation.topUp("same-" + round, "GOLD_COINS", 250, "same-ref-" + round);
                ExecutorService pool = Executors.newFixedThreadPool(callers);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<TransactionResult>> calls = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    calls.add(pool.submit(() -> {
                        start.await();
                        return ledger.apply(topUp);
                    }));
                }
                start.countDown();
                Set<Object> ids = new HashSet<>();
                int originals = 0;
                for (Future<TransactionResult> call : calls) {
                    TransactionResult r = call.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    ids.add(r.transactionId());
                    originals += r.replayed() ? 0 : 1;
                    assertEquals(250, r.balanceAfter());
                }
                pool.shutdown();
                assertEquals(1, ids.size(), "every caller gets the one transaction");
                assertEquals(1, originals, "exactly one caller applied it");
                assertEquals(250, ledger.balance("same-" + round, "GOLD_COINS").balance());
            }
            assertEquals(5, ledger.verify().transactions());
        }
    }

    private static Operation randomOperation(Random random, String reference) {
        String user = USERS[random.nextInt(USERS.length)];
        String asset = ASSETS[random.nextInt(ASSETS.length)];
        long amount = 1 + random.nextInt(500);
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> Operation.topUp(user, asset, amount, reference);
            case 3 -> Operation.bonus(user, asset, amount, reference);
            default -> Operation.spend(user, asset, amount, reference);
        };
    }

    private static Outcome outcome(Ledger ledger, Operation operation) {
        try {
            return new Outcome.Applied(ledger.apply(operation));
        } catch (WalletException e) {
            if (e.code().retryable()) {
                throw e;
            }
            return new Outcome.Refused(e);
        }
    }
}
