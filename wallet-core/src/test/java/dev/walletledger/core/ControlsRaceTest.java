package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Controls racing writes: a freeze racing many spends of its wallet lets no spend commit after it, and a daily spend
 * limit racing concurrent spends and holds is never passed. No timing is asserted: the order checked is the ledger's
 * own (transaction times, feed positions).
 */
class ControlsRaceTest {
    private static final String GOLD = "GOLD_COINS";
    private static final int SPENDERS = 6;
    private static final int ROUNDS = 6;
    private static final int SPENDS_MAX = 150;

    @Test
    void noSpendCommitsAfterTheFreeze() throws Exception {
        long seed = Seeds.seed("ControlsRaceTest.freeze");
        Random random = new Random(seed);
        long committedInAll = 0;
        long refusedInAll = 0;
        try (TestLedger t = TestDatabase.newLedger(LedgerConfig.defaults(), 12)) {
            Ledger ledger = t.ledger();
            ExecutorService pool = Executors.newFixedThreadPool(SPENDERS + 1);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    String user = "frozen-" + round;
                    ledger.topUp(Operation.topUp(user, GOLD, 1_000_000, user + "-funds"));
                    ConcurrentLinkedQueue<String> committed = new ConcurrentLinkedQueue<>();
                    ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<?>> spenders = new ArrayList<>();
                    for (int s = 0; s < SPENDERS; s++) {
                        int spender = s;
                        spenders.add(pool.submit(() -> {
                            start.await();
                            for (int i = 0; i < SPENDS_MAX; i++) {
                                String reference = user + "-" + spender + "-" + i;
                                try {
                                    ledger.spend(Operation.spend(user, GOLD, 1, reference));
                                    committed.add(reference);
                                } catch (WalletException e) {
                                    assertEquals(ErrorCode.WALLET_FROZEN, e.code(), "seed " + seed + ": " + e);
                                    refused.add(reference);
                                    return null;
                                }
                            }
                            return null;
                        }));
                    }
                    long pauseMillis = random.nextInt(60);
                    Future<WalletControls> freezer = pool.submit(() -> {
                        start.await();
                        Thread.sleep(pauseMillis); // lets some spends in first: an order, not a timing, is checked
                        return ledger.setControls(
                                ControlsChange.status(user, GOLD, WalletStatus.FROZEN, "race"), "ops");
                    });
                    start.countDown();
                    WalletControls frozen = freezer.get(1, TimeUnit.MINUTES);
                    for (Future<?> spender : spenders) {
                        spender.get(2, TimeUnit.MINUTES);
                    }
                    checkRound(ledger, user, frozen, committed, refused, seed);
                    committedInAll += committed.size();
                    refusedInAll += refused.size();
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            }
            AuditReport audit = ledger.verify();
            assertTrue(audit.consistent(), "seed " + seed + ": " + audit.violations());
        }
        System.out.println("ControlsRaceTest.freeze seed=" + seed + ": " + committedInAll + " spends committed before "
                + ROUNDS + " freezes, " + refusedInAll + " refused after");
        assertTrue(committedInAll > 0 && refusedInAll > 0, "seed " + seed + ": the race had both sides");
    }

    private static void checkRound(
            Ledger ledger,
            String user,
            WalletControls frozen,
            ConcurrentLinkedQueue<String> committed,
            ConcurrentLinkedQueue<String> refused,
            long seed) {
        Instant frozenAt = frozen.changedAt().orElseThrow();
        long freezeChange = frozen.changeId().orElseThrow();
        Map<UUID, Long> transactionPositions = new HashMap<>();
        long freezePosition = -1;
        for (Event event : everyEvent(ledger)) {
            long position = Long.parseLong(event.cursor());
            event.transaction().ifPresent(tx -> transactionPositions.put(tx.transactionId(), position));
            if (event.controls()
                            .flatMap(c -> c.changeId().isPresent()
                                    ? Optional.of(c.changeId().getAsLong())
                                    : Optional.empty())
                            .orElse(-1L)
                    == freezeChange) {
                freezePosition = position;
            }
        }
        assertTrue(freezePosition > 0, "the freeze has its event");
        for (String reference : committed) {
            TransactionResult spend = ledger.transactionByReference(reference).orElseThrow();
            assertTrue(
                    spend.createdAt().isBefore(frozenAt),
                    "seed " + seed + ": " + reference + " at " + spend.createdAt() + ", freeze at " + frozenAt);
            assertTrue(
                    transactionPositions.get(spend.transactionId()) < freezePosition,
                    "seed " + seed + ": " + reference + " is before the freeze in the feed");
        }
        for (String reference : refused) {
            assertTrue(ledger.transactionByReference(reference).isEmpty(), reference + " has no transaction");
            WalletException again =
                    assertThrows(WalletException.class, () -> ledger.spend(Operation.spend(user, GOLD, 1, reference)));
            assertTrue(again.replayed() && again.code() == ErrorCode.WALLET_FROZEN, "bound: " + again);
        }
        assertEquals(
                1_000_000L - committed.size(),
                ledger.balance(user, GOLD).balance(),
                "seed " + seed + ": exactly the committed spends took coins");
    }

    private static List<Event> everyEvent(Ledger ledger) {
        List<Event> events = new ArrayList<>();
        Optional<String> after = Optional.empty();
        for (int page = 0; page < 10_000; page++) {
            EventPage read = ledger.events(new EventQuery(after, Set.of(), EventQuery.LIMIT_MAX, Duration.ZERO));
            events.addAll(read.events());
            if (read.events().isEmpty()) {
                return events;
            }
            after = Optional.of(read.next());
        }
        throw new AssertionError("the feed ends");
    }

    /** Spends and holds racing each other under a daily limit: the day's total never passes it. */
    @Test
    void aDailyLimitRacedByConcurrentSpendsIsNeverPassed() throws Exception {
        long seed = Seeds.seed("ControlsRaceTest.dailyLimit");
        long limit = 700;
        try (TestLedger t = TestDatabase.newLedger(LedgerConfig.defaults(), 12)) {
            Ledger ledger = t.ledger();
            ledger.topUp(Operation.topUp("capped", GOLD, 100_000, "capped-funds"));
            ledger.setControls(
                    new ControlsChange(
                            "capped",
                            GOLD,
                            Optional.empty(),
                            Optional.empty(),
                            Optional.of(ControlsChange.Limit.of(limit)),
                            "daily limit"),
                    "ops");
            AtomicLong taken = new AtomicLong();
            AtomicLong limited = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(SPENDERS);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int s = 0; s < SPENDERS; s++) {
                    int worker = s;
                    Random random = new Random(seed + s);
                    workers.add(pool.submit(() -> {
                        start.await();
                        int refusals = 0;
                        for (int i = 0; i < SPENDS_MAX && refusals < 3; i++) {
                            long amount = 1 + random.nextInt(25);
                            String reference = "capped-" + worker + "-" + i;
                            try {
                                if (worker % 3 == 0) { // holds count when placed; a void gives nothing back
                                    TransactionResult hold = ledger.hold(
                                            Operation.Hold.expiringIn("capped", GOLD, amount, reference, 600));
                                    if (random.nextBoolean()) {
                                        ledger.voidHold(new Operation.VoidHold(
                                                hold.holdId().orElseThrow(), reference + "-void", null));
                                    }
                                } else if (worker % 3 == 1) {
                                    ledger.transfer(
                                            new Operation.Transfer("capped", "payee", GOLD, amount, reference, null));
                                } else {
                                    ledger.spend(Operation.spend("capped", GOLD, amount, reference));
                                }
                                taken.addAndGet(amount);
                            } catch (WalletException e) {
                                assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code(), "seed " + seed + ": " + e);
                                refusals++;
                                limited.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> worker : workers) {
                    worker.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            }
            WalletControls controls = ledger.controls("capped", GOLD);
            System.out.println("ControlsRaceTest.dailyLimit seed=" + seed + ": " + taken.get() + " of " + limit
                    + " taken, " + limited.get() + " refusals");
            assertTrue(taken.get() <= limit, "seed " + seed + ": " + taken.get() + " passed the limit " + limit);
            assertEquals(taken.get(), controls.spentToday(), "seed " + seed + ": the day's count is what was taken");
            assertTrue(limited.get() > 0, "seed " + seed + ": the limit was reached (else nothing was proved)");
            AuditReport audit = ledger.verify();
            assertTrue(audit.consistent(), "seed " + seed + ": " + audit.violations());
        }
    }
}
