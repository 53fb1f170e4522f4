package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Captures, voids and the expiry of one hold raced from many threads, on two ledgers over one database: exactly
 * one of them closes it, nothing is released twice, and the hold always adds up.
 */
class HoldRaceTest {
    private static final String GOLD = "GOLD_COINS";

    /** What one racer did: applied (with what it captured and released) or refused. */
    private record Move(String kind, boolean applied, long captured, long released, boolean closed) {}

    @Test
    void exactlyOneMoveClosesEachHold() throws Exception {
        long seed = Seeds.seed("HoldRaceTest");
        Random random = new Random(seed);
        try (TestLedger first = TestDatabase.newLedger();
                TestLedger second = TestDatabase.sameSchema(first, 4, 16)) {
            List<Ledger> ledgers = List.of(first.ledger(), second.ledger());
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                // A round of long holds (captures against voids), then one of holds that expire as they are raced.
                race(ledgers, pool, random, 24, 600, "long");
                race(ledgers, pool, random, 16, 1, "expiring");
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
            AuditReport audit = first.ledger().verify();
            assertTrue(audit.consistent(), audit.violations().toString());
        }
    }

    private static void race(
            List<Ledger> ledgers, ExecutorService pool, Random random, int holds, long seconds, String round)
            throws Exception {
        Ledger ledger = ledgers.get(0);
        List<UUID> ids = new ArrayList<>();
        List<Long> amounts = new ArrayList<>();
        Instant expiresAt = null;
        for (int h = 0; h < holds; h++) {
            String user = round + "-u" + h;
            long amount = 10 + random.nextInt(90);
            ledger.topUp(Operation.topUp(user, GOLD, 1_000, round + "-fund-" + h));
            TransactionResult held =
                    ledger.hold(Operation.Hold.expiringIn(user, GOLD, amount, round + "-h" + h, seconds));
            ids.add(held.holdId().orElseThrow());
            amounts.add(amount);
            Instant at = ((Operation.Hold) held.operation()).expiresAt(held.createdAt());
            expiresAt = expiresAt == null || at.isAfter(expiresAt) ? at : expiresAt;
        }
        if (seconds == 1) {
            HoldsTest.waitPast(expiresAt.minusMillis(40)); // raced as they expire
        }
        CountDownLatch start = new CountDownLatch(1);
        List<List<Future<Move>>> futures = new ArrayList<>();
        for (int h = 0; h < holds; h++) {
            UUID id = ids.get(h);
            long amount = amounts.get(h);
            List<Callable<Move>> racers = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                boolean last = random.nextBoolean();
                long part = 1 + random.nextInt((int) amount / 2);
                String reference = round + "-c" + h + "-" + k;
                Ledger by = ledgers.get(random.nextInt(2));
                racers.add(() -> move(
                        "capture",
                        () -> by.capture(
                                new Operation.Capture(id, reference, OptionalLong.of(part), last, null, null))));
            }
            for (int k = 0; k < 2; k++) {
                String reference = round + "-v" + h + "-" + k;
                Ledger by = ledgers.get(random.nextInt(2));
                racers.add(() -> move("void", () -> by.voidHold(new Operation.VoidHold(id, reference, null))));
            }
            Collections.shuffle(racers, random);
            List<Future<Move>> started = new ArrayList<>();
            for (Callable<Move> racer : racers) {
                started.add(pool.submit(() -> {
                    start.await();
                    return racer.call();
                }));
            }
            started.add(pool.submit(() -> {
                start.await();
                ledgers.get(1).expireHolds(100);
                return new Move("sweep", false, 0, 0, false);
            }));
            futures.add(started);
        }
        start.countDown();
        for (int h = 0; h < holds; h++) {
            long captured = 0;
            long released = 0;
            int closings = 0;
            for (Future<Move> future : futures.get(h)) {
                Move move = future.get(60, TimeUnit.SECONDS);
                captured += move.captured();
                released += move.released();
                closings += move.closed() ? 1 : 0;
            }
            Hold hold = ledger.hold(ids.get(h)).orElseThrow(); // closes a hold the race left open past its expiry
            String where = round + " hold " + h + " " + hold;
            if (hold.status() == Hold.Status.EXPIRED) {
                released += hold.remaining() == 0 ? expiryReleased(ledger, hold) : 0;
                closings++;
            }
            assertEquals(hold.captured(), captured, where);
            assertEquals(hold.released(), released, where);
            if (hold.status() != Hold.Status.OPEN) {
                assertEquals(1, closings, "exactly one move closed " + where);
                assertEquals(hold.amount(), hold.captured() + hold.released(), where);
            } else {
                assertEquals(0, closings, where);
            }
        }
    }

    private static long expiryReleased(Ledger ledger, Hold hold) {
        return ledger.transactionByReference("wallet-ledger:expiry:" + hold.id())
                .orElseThrow()
                .released();
    }

    private static Move move(String kind, Callable<TransactionResult> call) throws Exception {
        try {
            TransactionResult result = call.call();
            boolean closed = result.holdRemaining().orElseThrow() == 0;
            return new Move(kind, true, result.captured(), result.released(), closed);
        } catch (WalletException refused) {
            assertTrue(
                    List.of(ErrorCode.HOLD_CLOSED, ErrorCode.HOLD_EXPIRED, ErrorCode.HOLD_AMOUNT_EXCEEDED)
                            .contains(refused.code()),
                    kind + ": " + refused.code() + " " + refused.getMessage());
            return new Move(kind, false, 0, 0, false);
        }
    }
}
