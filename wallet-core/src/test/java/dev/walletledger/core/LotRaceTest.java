package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.LotAudit;
import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Spends racing the expiry of lots: wallets with free and paid lots expiring a few seconds ahead (two expiry
 * moments a second apart) and coins that never expire; 16 threads on two ledgers over one database spend, hold,
 * capture, void, top up, grant bonuses and transfer across both moments, while two more threads sweep expired lots
 * (and holds) on both ledgers.
 *
 * <p>Checked afterwards, from the database's own rows (every entry, with its transaction's {@code created_at};
 * {@link LotAudit} tells the lot rules):
 * no transaction but a lot's LOT_EXPIRY posts to a lot at or after the lot's expiry (so no spend, hold or
 * transfer committed then took from it); each expired lot that held coins has exactly one LOT_EXPIRY, under its
 * reserved reference, taking exactly what the lot held just before it (never more than was ever credited to it)
 * and leaving it at zero with nothing after; every answer's breakdown adds up and matches the postings; no free
 * coin is REVENUE and no paid coin PROMO_REDEEMED; conservation (Σ per asset = 0), no negative USER account,
 * exactly one transaction per applied reference, {@code verify()} clean and zero deadlocks. Seeded: re-run with
 * {@code -Dwallet.seed=N} (the interleaving is the machine's; the choices are the seed's).
 */
class LotRaceTest {
    private static final int THREADS = 16;
    private static final int SWEEPERS = 2;
    private static final int USERS = 24;
    private static final int OPERATIONS_PER_THREAD_MAX = 600;
    private static final int SWEEPS_PER_THREAD_MAX = 5_000;
    /** How long the race runs past the last seeded expiry. */
    private static final long AFTER_LAST_EXPIRY_MILLIS = 1_200;

    private static final long WAIT_SECONDS = 120;
    private static final String GOLD = "GOLD_COINS"; // FREE_FIRST
    private static final String STARS = "LOT_STARS"; // EXPIRING_FIRST
    private static final Set<ErrorCode> REFUSALS = Set.of(
            ErrorCode.INSUFFICIENT_FUNDS,
            ErrorCode.LOT_EXPIRED,
            ErrorCode.HOLD_CLOSED,
            ErrorCode.HOLD_EXPIRED,
            ErrorCode.HOLD_AMOUNT_EXCEEDED);

    /** One call of a racer: the operation, and its answer or refusal. */
    private record Call(Operation operation, TransactionResult result, ErrorCode refused) {}

    @Test
    void noSpendTakesAnExpiredLotAndEachLotExpiresOnce() throws Exception {
        long seed = Seeds.seed("LotRaceTest");
        LedgerConcurrencyTest.RetryCounter retries = new LedgerConcurrencyTest.RetryCounter();
        LedgerConfig config = LedgerConfig.defaults()
                .withRetries(50, 1, 50)
                .withCoalescing(4, 500, 10_000, 60_000)
                .withListener(retries);
        long started = System.nanoTime();
        try (TestLedger first = TestDatabase.newLedger(config, THREADS + 8);
                TestLedger second = TestDatabase.sameSchema(first, 0, THREADS + 4)) {
            first.ledger().addAsset(new Asset(STARS, "Lot Stars", 0, SpendOrder.EXPIRING_FIRST));
            List<Ledger> ledgers = List.of(first.ledger(), second.ledger());
            List<String> users = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                users.add("lr-" + u);
            }
            // Two expiry moments, whole seconds, far enough ahead for the seeding to finish first.
            Instant e1 = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
            Instant e2 = e1.plusSeconds(1);
            Instant e3 = e2.plusSeconds(1); // only top-ups and bonuses of the race credit lots expiring then
            seedWallets(first.ledger(), users, e1, e2);
            assertTrue(Instant.now().isBefore(e1.minusMillis(500)), "the seeding ended too close to the first expiry");

            Queue calls = new Queue();
            LongAdder swept = new LongAdder();
            Instant raceEnd = e3.plusMillis(AFTER_LAST_EXPIRY_MILLIS);
            race(ledgers, users, seed, List.of(e1, e2, e3), raceEnd, calls, swept);

            // Every lot has expired now: the sweeps post what the race left (bounded), and open holds are released.
            sleepUntil(e3.plusMillis(50));
            long finalSweep = 0;
            for (int round = 0; round < 200; round++) {
                int posted = ledgers.get(round % 2).expireLots(100)
                        + ledgers.get(round % 2).expireHolds(100);
                finalSweep += posted;
                if (posted == 0 && round > 1) {
                    break;
                }
            }

            List<String> problems = new ArrayList<>();
            List<LotAudit.Posting> rows;
            Instant checkedAt;
            try (Connection connection = TestDatabase.superuser()) {
                rows = LotAudit.postings(connection, first.schema());
                checkedAt = LotAudit.now(connection);
            }
            Map<String, Long> figures = new TreeMap<>();
            checkAnswers(calls.done, rows, problems, figures);
            LotAudit.check(rows, checkedAt, problems, figures);
            checkConservation(first, problems);
            assertEquals(
                    calls.done.stream()
                            .filter(c -> c.result() != null && !c.result().replayed())
                            .count(),
                    rows.stream()
                            .filter(r -> !r.reference().startsWith("wallet-ledger:")
                                    && !r.reference().startsWith("seed-"))
                            .map(LotAudit.Posting::transactionId)
                            .distinct()
                            .count(),
                    "exactly one transaction per applied reference");

            AuditReport audit = first.ledger().verify();
            Map<String, Long> byOutcome = new TreeMap<>();
            calls.done.forEach(c -> byOutcome.merge(
                    c.operation().type() + ":"
                            + (c.refused() == null ? "applied" : c.refused().name()),
                    1L,
                    Long::sum));
            System.out.printf(
                    "LotRaceTest seed=%d: calls=%d by_outcome=%s lot_expiries=%d (swept during the race %d, by the"
                            + " final sweeps of lots and holds %d, the rest lazily by writes) figures=%s retries=%s run_ms=%d%n",
                    seed,
                    calls.done.size(),
                    byOutcome,
                    figures.getOrDefault("lot_expiries", 0L),
                    swept.sum(),
                    finalSweep,
                    figures,
                    retries.bySqlState,
                    (System.nanoTime() - started) / 1_000_000);
            assertTrue(
                    problems.isEmpty(),
                    problems.size() + " problem(s), seed " + seed + ":\n"
                            + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
            assertTrue(audit.consistent(), audit.violations() + " seed=" + seed);
            assertEquals(0, retries.count("40P01"), "deadlocks: " + retries.bySqlState + " seed=" + seed);
            // Guards: a race that never crossed an expiry, or never took from a lot that expires, proved nothing.
            assertTrue(figures.getOrDefault("lot_expiries", 0L) > 0, "no lot expired");
            assertTrue(figures.getOrDefault("debits_of_expiring_lots", 0L) > 0, "no spend took an expiring lot");
            assertTrue(figures.getOrDefault("applied_after_first_expiry", 0L) > 0, "the race ended before e1");
        }
    }

    /** Every user, in both assets: paid coins that never expire, expiring paid and free lots, free coins. */
    private static void seedWallets(Ledger ledger, List<String> users, Instant e1, Instant e2) {
        for (String user : users) {
            for (String asset : List.of(GOLD, STARS)) {
                String r = "seed-" + user + "-" + asset + "-";
                List<Operation> operations = List.of(
                        new Operation.TopUp(user, asset, 400, r + 1, null, null),
                        new Operation.TopUp(user, asset, 150, r + 2, null, null, e2),
                        new Operation.Bonus(user, asset, 250, r + 3, null, null, e1),
                        new Operation.Bonus(user, asset, 200, r + 4, null, null, e2),
                        new Operation.Bonus(user, asset, 50, r + 5, null, null));
                for (Outcome outcome : ledger.submit(Batch.atomic(operations)).outcomes()) {
                    assertTrue(outcome instanceof Outcome.Applied, outcome.toString());
                }
            }
        }
    }

    /** What the racers did, in no particular order. */
    private static final class Queue {
        final ConcurrentLinkedQueue<Call> done = new ConcurrentLinkedQueue<>();
    }

    private static void race(
            List<Ledger> ledgers,
            List<String> users,
            long seed,
            List<Instant> expiries,
            Instant raceEnd,
            Queue calls,
            LongAdder swept)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + SWEEPERS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int thread = 0; thread < THREADS; thread++) {
                Random random = new Random(seed * 31 + thread);
                String prefix = "lr" + thread + "-";
                futures.add(pool.submit(() -> {
                    start.await();
                    racer(ledgers, users, random, prefix, expiries, raceEnd, calls);
                    return null;
                }));
            }
            for (int s = 0; s < SWEEPERS; s++) {
                Random random = new Random(seed * 17 + s);
                Ledger ledger = ledgers.get(s % 2);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < SWEEPS_PER_THREAD_MAX && !stop.get(); i++) {
                        swept.add(ledger.expireLots(1 + random.nextInt(20)));
                        if (random.nextInt(4) == 0) {
                            ledger.expireHolds(1 + random.nextInt(20));
                        }
                        Thread.sleep(random.nextInt(15));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (int f = 0; f < THREADS; f++) {
                futures.get(f).get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            stop.set(true);
            for (Future<?> future : futures) {
                future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    /** One racer: random operations until the race ends (bounded in count too). */
    private static void racer(
            List<Ledger> ledgers,
            List<String> users,
            Random random,
            String prefix,
            List<Instant> expiries,
            Instant raceEnd,
            Queue calls) {
        List<UUID> holds = new ArrayList<>(); // this racer's holds, to capture or void
        for (int i = 0; i < OPERATIONS_PER_THREAD_MAX && Instant.now().isBefore(raceEnd); i++) {
            Ledger ledger = ledgers.get(random.nextInt(2));
            String user = users.get(random.nextInt(users.size()));
            String asset = random.nextBoolean() ? GOLD : STARS;
            String reference = prefix + i;
            int dice = random.nextInt(100);
            Operation operation;
            if (dice < 35) {
                operation = Operation.spend(user, asset, 1 + random.nextInt(150), reference);
            } else if (dice < 47) {
                operation = Operation.Hold.expiringIn(
                        user, asset, 1 + random.nextInt(120), reference, 1 + random.nextInt(2));
            } else if (dice < 59 && !holds.isEmpty()) {
                UUID hold = holds.remove(random.nextInt(holds.size()));
                operation = random.nextInt(3) == 0
                        ? new Operation.VoidHold(hold, reference, null)
                        : new Operation.Capture(
                                hold,
                                reference,
                                OptionalLong.of(1 + random.nextInt(60)),
                                random.nextBoolean(),
                                null,
                                null);
            } else if (dice < 75) {
                Instant expiry = expiryAhead(random, expiries);
                operation = dice < 67
                        ? new Operation.TopUp(user, asset, 1 + random.nextInt(100), reference, null, null, expiry)
                        : new Operation.Bonus(user, asset, 1 + random.nextInt(100), reference, null, null, expiry);
            } else {
                String to = users.get((users.indexOf(user) + 1 + random.nextInt(users.size() - 1)) % users.size());
                operation = new Operation.Transfer(user, to, asset, 1 + random.nextInt(150), reference, null);
            }
            Call call = call(ledger, operation);
            calls.done.add(call);
            if (call.result() != null && call.operation().type() == OperationType.HOLD) {
                holds.add(call.result().holdId().orElseThrow());
            } else if (call.result() != null
                    && call.operation() instanceof Operation.Capture capture
                    && !capture.finalCapture()
                    && call.result().holdRemaining().orElseThrow() > 0) {
                holds.add(capture.holdId());
            }
        }
    }

    /** A lot expiry still ahead (some a moment ahead: credited as it expires), or never. */
    private static Instant expiryAhead(Random random, List<Instant> expiries) {
        Instant now = Instant.now();
        List<Instant> ahead = expiries.stream().filter(now::isBefore).toList();
        if (ahead.isEmpty() || random.nextInt(4) == 0) {
            return null;
        }
        return ahead.get(random.nextInt(ahead.size()));
    }

    private static Call call(Ledger ledger, Operation operation) {
        try {
            return new Call(operation, ledger.apply(operation), null);
        } catch (WalletException refused) {
            boolean expiredOnTheWay = refused.code() == ErrorCode.VALIDATION_FAILED
                    && lotExpiry(operation) != null
                    && !lotExpiry(operation).isAfter(Instant.now()); // chosen ahead, past when it was checked
            assertTrue(
                    REFUSALS.contains(refused.code()) || expiredOnTheWay,
                    operation + ": " + refused.code() + " " + refused.getMessage());
            return new Call(operation, null, refused.code());
        }
    }

    private static Instant lotExpiry(Operation operation) {
        return operation instanceof Operation.TopUp t
                ? t.expiresAt()
                : operation instanceof Operation.Bonus b ? b.expiresAt() : null;
    }

    /**
     * Each answer: its breakdown adds up (a capture's to what it captured), names no lot past its expiry at the
     * transaction's time, and equals the lots its postings (as the database holds them) took; a void's lots and
     * BREAKAGE together make its amount.
     */
    private static void checkAnswers(
            Iterable<Call> calls, List<LotAudit.Posting> rows, List<String> problems, Map<String, Long> figures) {
        Map<UUID, List<LotAudit.Posting>> byTransaction = LotAudit.byTransaction(rows);
        for (Call call : calls) {
            TransactionResult result = call.result();
            if (result == null) {
                continue;
            }
            OperationType type = result.type();
            List<LotAudit.Posting> posted = byTransaction.getOrDefault(result.transactionId(), List.of());
            long sum = result.breakdown().stream().mapToLong(Lot::amount).sum();
            // A capture's breakdown is what it captured; a void's, the lots it gave back (the rest is BREAKAGE's).
            long want = type == OperationType.CAPTURE
                    ? result.captured()
                    : type == OperationType.VOID
                            ? result.amount() - LotAudit.credited(posted, SystemWallet.BREAKAGE)
                            : result.amount();
            if (sum != want) {
                problems.add(type + " " + result.referenceId() + ": breakdown " + result.breakdown() + " sums to " + sum
                        + ", not " + want);
            }
            for (Lot lot : result.breakdown()) {
                if (type != OperationType.CAPTURE
                        && lot.expiresAt() != null
                        && !result.createdAt().isBefore(lot.expiresAt())) {
                    problems.add(type + " " + result.referenceId() + " at " + result.createdAt()
                            + " names a lot past its expiry: " + lot);
                }
            }
            if (type == OperationType.SPEND || type == OperationType.HOLD || type == OperationType.TRANSFER) {
                List<String> fromRows = new ArrayList<>();
                String subject = result.userId();
                posted.stream()
                        .filter(r -> r.user()
                                && r.owner().equals(subject)
                                && !r.account().equals("held"))
                        .forEach(r ->
                                fromRows.add(Lot.of(r.account(), r.amount()).toString()));
                List<String> fromAnswer = new ArrayList<>(
                        result.breakdown().stream().map(Lot::toString).toList());
                Collections.sort(fromRows);
                Collections.sort(fromAnswer);
                if (!fromRows.equals(fromAnswer)) {
                    problems.add(type + " " + result.referenceId() + ": breakdown " + fromAnswer
                            + " but the postings took " + fromRows);
                }
                figures.merge("breakdowns_checked", 1L, Long::sum);
            }
            if (type == OperationType.SPEND || type == OperationType.CAPTURE) {
                long paid = result.breakdown().stream()
                        .filter(l -> l.lotClass() == LotClass.PAID)
                        .mapToLong(Lot::amount)
                        .sum();
                if (LotAudit.credited(posted, SystemWallet.REVENUE) != paid
                        || LotAudit.credited(posted, SystemWallet.PROMO_REDEEMED) != sum - paid) {
                    problems.add(type + " " + result.referenceId() + ": REVENUE "
                            + LotAudit.credited(posted, SystemWallet.REVENUE) + " and PROMO_REDEEMED "
                            + LotAudit.credited(posted, SystemWallet.PROMO_REDEEMED) + " for a breakdown of " + paid
                            + " paid and " + (sum - paid) + " free");
                }
            }
        }
    }

    /** Σ per asset = 0 over all wallets; no USER account below zero. */
    private static void checkConservation(TestLedger t, List<String> problems) throws SQLException {
        for (LedgerStats.AssetStats asset : t.ledger().stats().assets()) {
            if (asset.sum().signum() != 0) {
                problems.add(asset.assetCode() + " sums to " + asset.sum());
            }
        }
        try (Connection c = TestDatabase.superuser();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT owner_id, account, balance FROM " + t.schema()
                        + ".wallets WHERE kind = 'USER' AND balance < 0")) {
            while (r.next()) {
                problems.add("negative: " + r.getString(1) + " " + r.getString(2) + " " + r.getLong(3));
            }
        }
    }

    private static void sleepUntil(Instant moment) throws InterruptedException {
        long millis = java.time.Duration.between(Instant.now(), moment).toMillis();
        assertTrue(millis < 30_000, "a bounded wait");
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
