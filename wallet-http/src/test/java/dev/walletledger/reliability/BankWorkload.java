package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.Lot;
import dev.walletledger.testing.LotAudit;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Jepsen's bank over HTTP: {@code users} wallets seeded by top-ups, {@code clients} threads sending random
 * operations, each retried with its reference id while in doubt, and a reader taking whole-ledger snapshots.
 * The mixed workload sends top-ups, bonuses, spends, transfers, operators' adjustments (credits and debits),
 * and reversals and write-off chargebacks of earlier acknowledged operations (a debit larger than a balance,
 * or a take-back beyond what remains, is refused). Half the top-ups and bonuses credit lots that expire
 * {@link Op#LOT_MILLIS_MIN} to {@link Op#LOT_MILLIS_MAX} ms later, so lots expire throughout the run (by the server's
 * sweep or lazily by the next write to the wallet) and spends, holds and transfers take lots in the asset's spend
 * order (GOLD_COINS: free first). The transfers-only workload is Jepsen's bank proper: after the seed, only transfers between the
 * fixed users, and every snapshot read must see the same total. While it runs, the test's nemesis injects
 * faults; afterwards {@link #verify} settles every operation still in doubt by reference and checks the
 * history against the database: nothing acknowledged is lost, nothing is applied twice.
 */
final class BankWorkload {
    /** A wallet's seed top-up. */
    static final long SEED_AMOUNT = 100_000;
    /** The liveness bound: after a fault heals, the first write must be acknowledged within this. */
    static final long RECOVERY_BOUND_MILLIS = 60_000;
    /**
     * At the end, how long an expired lot may still hold coins: the server sweeps every 5 s (HoldSweeper), plus a
     * restart's worth of slack.
     */
    static final long LOTS_EXPIRED_BOUND_MILLIS = 20_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Run run;
    private final HttpLedgerClient client;
    private final Supplier<String> jdbcUrl;
    private final String schema;
    private final List<String> users = new ArrayList<>();
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final List<String> readViolations = new CopyOnWriteArrayList<>();
    private final AtomicLong readsOk = new AtomicLong();
    private final AtomicLong readsFailed = new AtomicLong();
    private final List<Long> recoveryMillis = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong keys = new AtomicLong();
    private long loadNanos;
    private long replaysSkippedLotExpired;
    private final boolean transfersOnly;
    private FeedAudit feed;

    /**
     * @param jdbcUrl  where snapshot reads go, straight to PostgreSQL (not through the server or a proxy)
     */
    BankWorkload(Run run, HttpLedgerClient client, Supplier<String> jdbcUrl, String schema, int users) {
        this(run, client, jdbcUrl, schema, users, false);
    }

    BankWorkload(
            Run run,
            HttpLedgerClient client,
            Supplier<String> jdbcUrl,
            String schema,
            int users,
            boolean transfersOnly) {
        this.transfersOnly = transfersOnly;
        this.run = run;
        this.client = client;
        this.jdbcUrl = jdbcUrl;
        this.schema = schema;
        for (int i = 0; i < users; i++) {
            this.users.add("bank_" + run.seed() % 100_000 + "_" + i);
        }
    }

    /** Funds every wallet; each seed must be acknowledged (the database is healthy now). */
    void seed() {
        for (String user : users) {
            Op op = new Op(key("seed"), Op.Type.TOPUP, user, SEED_AMOUNT);
            client.execute(op);
            ops.add(op);
            assertEquals(Op.Status.ACKNOWLEDGED, op.status, op.history() + " " + op.unexpected);
        }
    }

    /** Events and controls: the operator changing limits during the load, the checks after it. */
    private synchronized FeedAudit feed() {
        if (feed == null) {
            feed = new FeedAudit(jdbcUrl, schema);
        }
        return feed;
    }

    private String key(String kind) {
        return kind + "-" + run.seed() + "-" + keys.incrementAndGet();
    }

    /**
     * Runs {@code clients} client threads and a snapshot reader while {@code nemesis} runs in this thread;
     * stops them when it returns (each thread finishes its operation in progress, bounded by its retries).
     */
    void load(int clients, Runnable nemesis) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Random random = new Random(run.seed() * 31 + c);
            threads.add(new Thread(
                    () -> {
                        List<Op> acknowledged = new ArrayList<>(); // this client's, to take back later
                        List<Op> holds = new ArrayList<>(); // this client's acknowledged holds, to capture or void
                        while (!stop.get()) {
                            Op op = randomOp(random, acknowledged, holds);
                            client.execute(op);
                            ops.add(op);
                            if (op.status == Op.Status.ACKNOWLEDGED
                                    && op.type == Op.Type.HOLD
                                    && holds.size() < 1_000) {
                                holds.add(op);
                            } else if (op.status == Op.Status.ACKNOWLEDGED
                                    && op.type != Op.Type.REVERSAL
                                    && op.type != Op.Type.CHARGEBACK
                                    && op.type != Op.Type.VOID
                                    && acknowledged.size() < 10_000) {
                                acknowledged.add(op);
                            }
                        }
                    },
                    "bank-client-" + c));
        }
        threads.add(new Thread(
                () -> {
                    while (!stop.get()) {
                        snapshot();
                        sleep(200);
                    }
                },
                "bank-reader"));
        FeedAudit operator = feed();
        Random operatorRandom = new Random(run.seed() * 37);
        threads.add(new Thread(
                () -> {
                    while (!stop.get()) {
                        operator.changeLimits(
                                users.get(operatorRandom.nextInt(users.size())),
                                HttpLedgerClient.ASSET,
                                operatorRandom);
                        sleep(100);
                    }
                },
                "bank-operator"));
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        try {
            nemesis.run();
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                join(thread);
            }
            loadNanos = System.nanoTime() - start;
        }
    }

    private Op randomOp(Random random, List<Op> acknowledged, List<Op> holds) {
        String user = users.get(random.nextInt(users.size()));
        int dice = random.nextInt(100);
        if (!transfersOnly && dice >= 45 && dice < 55) { // holds: reserved, then captured, voided or left to expire
            if (!holds.isEmpty() && random.nextInt(3) > 0) {
                Op hold = holds.remove(random.nextInt(holds.size()));
                boolean capture = random.nextInt(3) > 0;
                // Now and then a second move of the same hold, which must be refused as closed.
                if (random.nextInt(8) == 0) {
                    holds.add(hold);
                }
                return Op.holdMove(
                        key("op"),
                        capture ? Op.Type.CAPTURE : Op.Type.VOID,
                        hold,
                        transactionId(hold),
                        capture ? 1 + random.nextInt((int) hold.amount) : 0);
            }
            return Op.hold(key("op"), user, 1 + random.nextInt(20_000));
        }
        if (transfersOnly || (dice >= 75 && dice < 87)) {
            String to = users.get((users.indexOf(user) + 1 + random.nextInt(users.size() - 1)) % users.size());
            return Op.transfer(key("op"), user, to, 1 + random.nextInt(transfersOnly ? 30_000 : 20_000));
        }
        if (dice >= 87 && !acknowledged.isEmpty()) {
            Op target = acknowledged.get(random.nextInt(acknowledged.size()));
            boolean chargeback = dice >= 95 && target.type == Op.Type.TOPUP;
            return Op.takeBack(
                    key("op"),
                    chargeback ? Op.Type.CHARGEBACK : Op.Type.REVERSAL,
                    target,
                    transactionId(target),
                    1 + random.nextInt((int) Math.max(1, target.amount / 2)));
        }
        if (dice >= 70 && dice < 75) { // an operator's correction: more credits than debits
            return Op.adjustment(key("op"), user, 1 + random.nextInt(10_000), dice < 73);
        }
        Op.Type type = dice < 35 ? Op.Type.TOPUP : dice < 45 ? Op.Type.BONUS : Op.Type.SPEND;
        long amount = type == Op.Type.SPEND ? 1 + random.nextInt(60_000) : 1 + random.nextInt(20_000);
        if (type != Op.Type.SPEND && random.nextBoolean()) { // coins that expire during the run
            long millis = Op.LOT_MILLIS_MIN + random.nextLong(Op.LOT_MILLIS_MAX - Op.LOT_MILLIS_MIN);
            return Op.expiring(key("op"), type, user, amount, millis);
        }
        return new Op(key("op"), type, user, amount);
    }

    private static final java.util.regex.Pattern TRANSACTION_ID =
            java.util.regex.Pattern.compile("\"transaction_id\":\"([0-9a-f-]{36})\"");

    /** The transaction id in an acknowledged answer. */
    private static String transactionId(Op op) {
        java.util.regex.Matcher m =
                TRANSACTION_ID.matcher(new String(op.body, java.nio.charset.StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("no transaction_id in the answer to " + op.history());
        }
        return m.group(1);
    }

    /** What a chargeback's answer says it recovered. */
    private static long recovered(Op op) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"recovered\":(\\d+)")
                .matcher(new String(op.body, java.nio.charset.StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("no recovered in the answer to " + op.history());
        }
        return Long.parseLong(m.group(1));
    }

    private void snapshot() {
        try {
            LedgerSnapshot read = LedgerSnapshot.read(jdbcUrl.get(), schema);
            List<String> violations = new ArrayList<>(read.violations(Set.copyOf(users)));
            if (transfersOnly) {
                long total = read.userBalances(HttpLedgerClient.ASSET).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
                if (total != SEED_AMOUNT * users.size()) {
                    violations.add("the bank's total is " + total + ", not " + SEED_AMOUNT * users.size());
                }
            }
            readsOk.incrementAndGet();
            readViolations.addAll(violations);
        } catch (SQLException | RuntimeException e) {
            readsFailed.incrementAndGet(); // the database is down or paused: a read in doubt, not checked
        }
    }

    /**
     * The liveness probe after a fault heals: top-ups with fresh keys until one is acknowledged; asserts
     * it happens within {@link #RECOVERY_BOUND_MILLIS}. Returns the milliseconds it took.
     */
    long awaitFirstWrite() {
        return awaitFirstWrite(System.nanoTime());
    }

    /** As {@link #awaitFirstWrite()}, recording the time since {@code sinceNanos} (the kill, say). */
    long awaitFirstWrite(long sinceNanos) {
        firstWrite(sinceNanos);
        long millis = (System.nanoTime() - sinceNanos) / 1_000_000;
        recoveryMillis.add(millis);
        return millis;
    }

    /** Probes until a write is acknowledged; fails past {@link #RECOVERY_BOUND_MILLIS} after {@code sinceNanos}. */
    private void firstWrite(long sinceNanos) {
        long deadline = sinceNanos + RECOVERY_BOUND_MILLIS * 1_000_000;
        for (int attempt = 1; attempt <= 10_000; attempt++) {
            Op probe = write("probe", attempt);
            client.execute(probe);
            ops.add(probe);
            assertTrue(probe.status != Op.Status.UNEXPECTED, probe.history() + " " + probe.unexpected);
            boolean answered = probe.status == Op.Status.ACKNOWLEDGED
                    || (transfersOnly && probe.status == Op.Status.REFUSED && !probe.hadInfo());
            if (answered && probe.settledNanos <= deadline) {
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new AssertionError("liveness: no write was acknowledged within " + RECOVERY_BOUND_MILLIS
                + " ms after the fault healed (seed " + run.seed() + ")");
    }

    /**
     * A small write with a fresh key: a top-up of 1, or in the transfers-only workload (whose total must not
     * change) a transfer of 1 between two users, refused (422, an answer from the database all the same)
     * when the sender has nothing.
     */
    Op write(String kind, int i) {
        String user = users.get(i % users.size());
        return transfersOnly
                ? Op.transfer(key(kind), user, users.get((i + 1) % users.size()), 1)
                : new Op(key(kind), Op.Type.TOPUP, user, 1);
    }

    /** An operation sent by the test itself (a probe of its own), added to the history that is checked. */
    void record(Op op) {
        ops.add(op);
    }

    /** Sequential fresh top-ups once faults healed: how many were acknowledged at their first attempt. */
    int firstAttemptWrites(int writes) {
        int ok = 0;
        for (int i = 0; i < writes; i++) {
            Op op = write("check", i);
            client.execute(op);
            ops.add(op);
            if (op.attempts.size() == 1 && op.attempts.get(0) == Op.Attempt.CREATED) {
                ok++;
            }
        }
        return ok;
    }

    /** Settles, checks and reports; fails the test on any violation. Returns the figures. */
    Figures verify(String label, String extra) throws SQLException {
        firstWrite(System.nanoTime()); // the system is healthy again before the checks
        snapshot();
        Figures f = new Figures();
        List<String> problems = new ArrayList<>(new LinkedHashSet<>(readViolations));
        Instant lotsCheckedAt = awaitLotsExpired(f, problems);
        Map<String, LedgerSnapshot.Recorded> recorded = LedgerSnapshot.transactions(jdbcUrl.get(), schema);
        Map<String, Long> expected = new HashMap<>();
        for (Op op : ops) {
            LedgerSnapshot.Recorded found = recorded.get(op.key);
            checkOperation(op, found, f, problems);
            if (found != null) {
                op.effects(-found.subjectDelta()).forEach((who, effect) -> expected.merge(who, effect, Long::sum));
                if (op.type == Op.Type.CHARGEBACK && op.body != null && recovered(op) != -found.subjectDelta()) {
                    problems.add("a chargeback's answer says it recovered " + recovered(op) + ", its record "
                            + -found.subjectDelta() + ": " + op.history());
                }
            }
        }
        problems.addAll(LedgerSnapshot.overTaken(jdbcUrl.get(), schema));
        problems.addAll(LedgerSnapshot.brokenHolds(jdbcUrl.get(), schema));
        checkNothingUnasked(recorded, f, problems);
        checkLots(lotsCheckedAt, f, problems);
        checkBalances(expected, problems);
        StringBuilder feedFigures = new StringBuilder();
        problems.addAll(feed().problems(feedFigures));
        f.replaysChecked = checkReplays(problems);
        f.refusalReplaysChecked = checkRefusalReplays(problems);
        f.replaysSkippedLotExpired = replaysSkippedLotExpired;
        f.readsOk = readsOk.get();
        f.readsFailed = readsFailed.get();
        f.wrongTotals = readViolations.size();
        f.recovery = new ArrayList<>(recoveryMillis);
        f.seconds = loadNanos / 1e9;
        run.summary(label + " " + f.line() + " " + feedFigures + (extra.isEmpty() ? "" : " " + extra));
        assertTrue(
                problems.isEmpty(),
                problems.size() + " problem(s), seed " + run.seed() + ":\n"
                        + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
        assertEquals(0, f.lostAcked);
        assertEquals(0, f.duplicates);
        if (!transfersOnly && f.expiringCreditsAcked > 0) {
            assertTrue(f.lots.getOrDefault("lot_expiries", 0L) > 0, "no lot expired: the lots part proved nothing");
        }
        return f;
    }

    /**
     * Waits (bounded) until no lot past its expiry holds coins, and returns the database's time at which that held:
     * every lot expired by then is checked as expired (its LOT_EXPIRY posted), the others as lots still running. The
     * soak tier first waits for the last lot of the run to expire and leaves every expiry to the server's sweep
     * (every 5 s), so a lot the sweep misses fails the run. The fast tier gives the sweep a second, then writes 1 coin
     * to each user whose expired lots still hold coins (a write expires its wallet's lots on its way, lazily) rather
     * than wait for the next sweep. Past {@link #LOTS_EXPIRED_BOUND_MILLIS}, what remains is a problem.
     */
    private Instant awaitLotsExpired(Figures f, List<String> problems) throws SQLException {
        long start = System.nanoTime();
        if (run.soak()) {
            Instant last = ops.stream()
                    .map(op -> op.expiresAt)
                    .filter(java.util.Objects::nonNull)
                    .max(Instant::compareTo)
                    .orElse(null);
            if (last != null) {
                long millis = java.time.Duration.between(Instant.now(), last).toMillis() + 50;
                sleep(Math.max(0, Math.min(millis, Op.LOT_MILLIS_MAX + 1_000)));
            }
        }
        long deadline = System.nanoTime() + LOTS_EXPIRED_BOUND_MILLIS * 1_000_000;
        LedgerSnapshot.Pending pending = LedgerSnapshot.expiredLotsHoldingCoins(jdbcUrl.get(), schema);
        for (int poll = 0; pending.lots() > 0 && System.nanoTime() < deadline && poll < 1_000; poll++) {
            if (!run.soak() && poll == 5) {
                for (String owner : new LinkedHashSet<>(pending.owners())) {
                    Op probe = new Op(key("lots"), Op.Type.TOPUP, owner, 1);
                    client.execute(probe);
                    ops.add(probe);
                    f.lotProbes++;
                }
            }
            sleep(200);
            pending = LedgerSnapshot.expiredLotsHoldingCoins(jdbcUrl.get(), schema);
        }
        f.lotsWaitMillis = (System.nanoTime() - start) / 1_000_000;
        if (pending.lots() > 0) {
            problems.add(pending.lots() + " lot(s) past their expiry still hold coins after "
                    + LOTS_EXPIRED_BOUND_MILLIS + " ms (owners " + pending.owners()
                    + "): no sweep or write posted their LOT_EXPIRY");
        }
        return pending.at();
    }

    /**
     * The lots against every posting ({@link LotAudit}: nothing posted to a lot at or after its expiry but its
     * LOT_EXPIRY, each expired lot's LOT_EXPIRY exactly once and exactly what the lot held, spends split by class,
     * transfers keep lots), and every acknowledged spend's, hold's and transfer's breakdown: it adds up to the
     * amount and names the very lots the postings took.
     */
    private void checkLots(Instant checkedAt, Figures f, List<String> problems) throws SQLException {
        List<LotAudit.Posting> postings;
        try (Connection connection = DriverManager.getConnection(jdbcUrl.get(), "postgres", null)) {
            postings = LotAudit.postings(connection, schema);
        }
        LotAudit.check(postings, checkedAt, problems, f.lots);
        Map<String, List<LotAudit.Posting>> byReference = new HashMap<>();
        for (LotAudit.Posting p : postings) {
            byReference.computeIfAbsent(p.reference(), k -> new ArrayList<>()).add(p);
        }
        for (Op op : ops) {
            if (op.status == Op.Status.ACKNOWLEDGED && op.expiresAt != null) {
                f.expiringCreditsAcked++;
            }
            if (op.status == Op.Status.REFUSED
                    && op.refusalBody != null
                    && new String(op.refusalBody, java.nio.charset.StandardCharsets.UTF_8)
                            .contains("\"LOT_EXPIRED\"")) {
                f.lotExpiredRefusals++;
            }
            if (op.attempts.contains(Op.Attempt.EXPIRED_RETRY)) {
                // A retry after the expiry replays a recorded credit (LotReplayAfterExpiryTest); a 400 means no
                // attempt had committed when it was checked (a validation error binds nothing), and the op stays in
                // doubt, settled against the database like any other.
                f.expiredRetries++;
            }
            boolean takesLots = op.type == Op.Type.SPEND || op.type == Op.Type.HOLD || op.type == Op.Type.TRANSFER;
            if (takesLots && op.status == Op.Status.ACKNOWLEDGED && op.body != null) {
                checkBreakdown(op, byReference.getOrDefault(op.key, List.of()), problems);
                f.breakdownsChecked++;
            }
        }
    }

    /** An answer's breakdown: it adds up to the amount, and equals the lots the subject's postings took. */
    private static void checkBreakdown(Op op, List<LotAudit.Posting> postings, List<String> problems) {
        JsonNode breakdown;
        try {
            breakdown = JSON.readTree(op.body).get("breakdown");
        } catch (IOException e) {
            problems.add("an unreadable answer: " + op.history());
            return;
        }
        if (breakdown == null || !breakdown.isArray()) {
            problems.add("an answer without a breakdown: " + op.history());
            return;
        }
        List<String> answered = new ArrayList<>();
        long sum = 0;
        for (JsonNode part : breakdown) {
            JsonNode expiry = part.get("expires_at");
            Instant at = expiry == null || expiry.isNull()
                    ? null
                    : OffsetDateTime.parse(expiry.asText()).toInstant();
            answered.add(part.get("class").asText() + " " + at + " "
                    + part.get("amount").asLong());
            sum += part.get("amount").asLong();
        }
        List<String> posted = new ArrayList<>();
        for (LotAudit.Posting p : postings) {
            if (p.lot() && !p.credit() && p.owner().equals(op.user)) {
                Lot lot = Lot.of(p.account(), p.amount());
                posted.add(lot.lotClass() + " " + lot.expiresAt() + " " + lot.amount());
            }
        }
        Collections.sort(answered);
        Collections.sort(posted);
        if (sum != op.amount || !answered.equals(posted)) {
            problems.add(op.type + " answered the breakdown " + answered + " (sum " + sum + ") but its postings took "
                    + posted + ": " + op.history());
        }
    }

    /** One operation against what the ledger recorded under its reference ({@code found}, null if nothing). */
    private void checkOperation(Op op, LedgerSnapshot.Recorded found, Figures f, List<String> problems) {
        f.ops++;
        if (op.status == Op.Status.ACKNOWLEDGED) {
            f.ackedByType.merge(op.type.name(), 1L, Long::sum);
        }
        if (found != null && found.malformed()) {
            f.duplicates++;
            problems.add("duplicate or malformed transaction: " + op.history() + " -> " + found);
        }
        if (op.hadInfo()) {
            f.inDoubt++;
        }
        // The rule every history must keep: a reference answered "refused" (422) by any attempt is never
        // applied, whatever the attempts before or after it said. The ledger binds a refusal to the reference.
        if (found != null && op.attempts.contains(Op.Attempt.REFUSED)) {
            f.refusedButApplied++;
            problems.add("answered as refused (422), but applied: " + op.history());
        }
        switch (op.status) {
            case ACKNOWLEDGED -> checkAcknowledged(op, found, f, problems);
            case REFUSED -> checkRefused(op, found != null, f, problems);
            case IN_DOUBT -> settleInDoubt(op, found != null, f, problems);
            case UNEXPECTED, PENDING -> {
                f.unexpected++;
                problems.add("unexpected answer: " + op.history() + " " + op.unexpected);
            }
        }
    }

    /** Acknowledged: recorded, exactly as asked; and how a doubt on the way was settled. */
    private static void checkAcknowledged(Op op, LedgerSnapshot.Recorded found, Figures f, List<String> problems) {
        f.acked++;
        if (found == null) {
            f.lostAcked++;
            problems.add("lost acknowledged: " + op.history());
        } else if (!found.effect().equals(op.expectedRecord())) {
            problems.add("acknowledged but recorded differently: " + op.history() + " -> " + found);
        }
        if (op.hadInfo()) {
            if (op.attempts.get(op.attempts.size() - 1) == Op.Attempt.REPLAYED) {
                f.resolvedApplied++;
                f.resolvedByReplay++;
            } else {
                f.resolvedAbsent++;
                f.resolvedByRetry++;
            }
        } else if (op.attempts.get(0) == Op.Attempt.REPLAYED) {
            f.serverReplays++; // the server retried internally after a lost commit acknowledgment
        }
    }

    /** Refused (422): nothing recorded (a refusal that was applied is a problem already, see above). */
    private static void checkRefused(Op op, boolean present, Figures f, List<String> problems) {
        f.refused++;
        if (!op.hadInfo()) {
            if (present) {
                f.wrongRefusals++;
            }
        } else if (present) {
            // The retry of an attempt still in flight was refused while that attempt went on to apply
            // (InFlightDuplicateTest, RefusalBindingTest): never again.
            f.refusedAfterDoubtButApplied++;
            f.resolvedApplied++;
        } else {
            f.resolvedAbsent++;
            f.resolvedByRefusal++;
        }
    }

    /** Still in doubt: the API's read by reference settles it, and must agree with the database. */
    private void settleInDoubt(Op op, boolean present, Figures f, List<String> problems) {
        Optional<Boolean> found = client.present(op.key);
        if (found.isEmpty()) {
            f.unresolved++;
            problems.add("could not settle by reference: " + op.history());
            return;
        }
        f.resolvedByRead++;
        if (found.get()) {
            f.resolvedApplied++;
        } else {
            f.resolvedAbsent++;
        }
        if (found.get() != present) {
            problems.add("GET by reference disagrees with the database: " + op.history());
        }
    }

    /** No transaction under a reference no client sent. */
    private void checkNothingUnasked(Map<String, LedgerSnapshot.Recorded> recorded, Figures f, List<String> problems) {
        Set<String> ourKeys = new java.util.HashSet<>();
        for (Op op : ops) {
            ourKeys.add(op.key);
        }
        for (String key : recorded.keySet()) {
            if (key.startsWith("wallet-ledger:expiry:")) { // the ledger's own expiries
                f.expiries++;
            } else if (key.startsWith(LotAudit.EXPIRY_PREFIX)) {
                f.lotExpiries++;
            } else if (!ourKeys.contains(key)) {
                f.duplicates++;
                problems.add("a transaction nobody asked for: " + key);
            }
        }
    }

    /**
     * The ledger's own checks, and every user's coins equal to the sum of what was recorded for them: what the user
     * holds (every lot, spendable or held) and what left the user's lots for BREAKAGE (their expiries, and coins
     * that came back to a lot expired meanwhile: a hold's release, a refund).
     */
    private void checkBalances(Map<String, Long> expected, List<String> problems) throws SQLException {
        LedgerSnapshot last = LedgerSnapshot.read(jdbcUrl.get(), schema);
        problems.addAll(last.violations(Set.copyOf(users)));
        Map<String, Long> balances = last.userBalances(HttpLedgerClient.ASSET);
        Map<String, Long> breakage = LedgerSnapshot.breakageByUser(jdbcUrl.get(), schema);
        for (String user : users) {
            long want = expected.getOrDefault(user, 0L);
            long held = balances.getOrDefault(user, 0L);
            long expired = breakage.getOrDefault(user, 0L);
            if (want != held + expired) {
                problems.add("the coins of " + user + " are " + held + " held and " + expired
                        + " gone to BREAKAGE, the history says " + want);
            }
        }
        for (String owner : breakage.keySet()) {
            if (!users.contains(owner)) {
                problems.add("BREAKAGE of " + breakage.get(owner) + " from " + owner + ", no user of the run");
            }
        }
    }

    /**
     * Sends acknowledged operations again, straight to the server: up to 30 whose original answer (201)
     * the client saw, and up to 30 the client only knows from a replay (its first answer was lost). Each
     * must answer 200 with exactly the bytes the client already holds.
     */
    private int checkReplays(List<String> problems) {
        int originals = 0;
        int replays = 0;
        for (Op op : ops) {
            if (op.status != Op.Status.ACKNOWLEDGED) {
                continue;
            }
            boolean original = op.attempts.get(op.attempts.size() - 1) == Op.Attempt.CREATED;
            if (original ? originals >= 30 : replays >= 30) {
                continue;
            }
            try {
                HttpResponse<byte[]> replay = client.post(op.path(), op.json(HttpLedgerClient.ASSET));
                if (replay.statusCode() != 200
                        || !java.util.Arrays.equals(op.body, replay.body())
                        || !"true"
                                .equals(replay.headers()
                                        .firstValue("Idempotent-Replayed")
                                        .orElse(""))) {
                    problems.add("replay differs: " + op.history() + " got " + replay.statusCode() + " "
                            + new String(replay.body()) + " had " + new String(op.body));
                }
            } catch (IOException e) {
                problems.add("replay got no answer: " + op.history());
            }
            if (original) {
                originals++;
            } else {
                replays++;
            }
        }
        return originals + replays;
    }

    /**
     * Sends up to 30 refused operations again: each reference is bound to its refusal, so each must answer
     * the same 422 with the same bytes, marked {@code Idempotent-Replayed: true}, though balances have moved
     * since (many would fit now).
     */
    private int checkRefusalReplays(List<String> problems) {
        int checked = 0;
        for (Op op : ops) {
            if (op.status != Op.Status.REFUSED || op.refusalBody == null || checked >= 30) {
                continue;
            }
            if (op.lotExpired()) { // a refusal of a credit whose expiry passed since is answered 400, not replayed
                replaysSkippedLotExpired++;
                continue;
            }
            checked++;
            try {
                HttpResponse<byte[]> replay = client.post(op.path(), op.json(HttpLedgerClient.ASSET));
                int status =
                        new String(op.refusalBody, java.nio.charset.StandardCharsets.UTF_8).contains("\"HOLD_CLOSED\"")
                                ? 409
                                : 422;
                if (replay.statusCode() != status
                        || !java.util.Arrays.equals(op.refusalBody, replay.body())
                        || !"true"
                                .equals(replay.headers()
                                        .firstValue("Idempotent-Replayed")
                                        .orElse(""))) {
                    problems.add("refusal replay differs: " + op.history() + " got " + replay.statusCode() + " "
                            + new String(replay.body()) + " had " + new String(op.refusalBody));
                }
            } catch (IOException e) {
                problems.add("refusal replay got no answer: " + op.history());
            }
        }
        return checked;
    }

    /** The figures of one run (one summary line). */
    static final class Figures {
        long ops;
        long acked;
        long refused;
        long inDoubt;
        long resolvedApplied;
        long resolvedAbsent;
        long resolvedByReplay;
        long resolvedByRetry;
        long resolvedByRefusal;
        long resolvedByRead;
        long unresolved;
        long serverReplays;
        long lostAcked;
        long duplicates;
        long wrongRefusals;
        long refusedAfterDoubtButApplied;
        long refusedButApplied;
        int refusalReplaysChecked;
        long unexpected;
        long readsOk;
        long readsFailed;
        long wrongTotals;
        int replaysChecked;
        double seconds;
        List<Long> recovery = List.of();
        final Map<String, Long> ackedByType = new java.util.TreeMap<>();
        long expiries;
        long lotExpiries;
        /** {@link LotAudit}'s figures: lot_expiries, expiring_lots, debits_of_expiring_lots... */
        final Map<String, Long> lots = new java.util.TreeMap<>();

        long expiringCreditsAcked;
        long lotExpiredRefusals;
        long expiredRetries;
        long breakdownsChecked;
        long replaysSkippedLotExpired;
        long lotsWaitMillis;
        long lotProbes;

        String line() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ops", ops);
            out.put("acked", acked);
            out.put("refused", refused);
            out.put("acked_by_type", ackedByType.toString().replace(" ", ""));
            out.put("hold_expiries_posted", expiries);
            out.put("lot_expiries_posted", lotExpiries);
            out.put("expiring_credits_acked", expiringCreditsAcked);
            out.put("lot_expired_refusals", lotExpiredRefusals);
            out.put("lots", lots.toString().replace(" ", ""));
            out.put("breakdowns_checked", breakdownsChecked);
            out.put("retries_400_after_lot_expiry", expiredRetries);
            out.put("replays_skipped_lot_expired", replaysSkippedLotExpired);
            out.put("lots_settled_ms", lotsWaitMillis + " (probe writes " + lotProbes + ")");
            out.put("lost_acked", lostAcked);
            out.put("duplicates", duplicates);
            out.put("wrong_refusals", wrongRefusals);
            out.put("unexpected", unexpected);
            out.put("refused_after_doubt_but_applied", refusedAfterDoubtButApplied);
            out.put("answered_refused_but_applied", refusedButApplied);
            out.put(
                    "in_doubt",
                    inDoubt + " (" + (resolvedApplied + resolvedAbsent) + " resolved: " + resolvedApplied
                            + " applied, " + resolvedAbsent + " absent; by replay " + resolvedByReplay + ", by retry "
                            + resolvedByRetry + ", by 422 (verified absent) " + resolvedByRefusal + ", by GET "
                            + resolvedByRead + "; unresolved "
                            + unresolved + ")");
            out.put("server_side_replays", serverReplays);
            out.put(
                    "snapshot_reads",
                    readsOk + " ok/" + readsFailed + " failed, wrong_total_or_negative=" + wrongTotals);
            out.put("replays_byte_identical", replaysChecked);
            out.put("refusal_replays_byte_identical", refusalReplaysChecked);
            out.put("ops_per_s", String.format(java.util.Locale.ROOT, "%.0f", ops / Math.max(0.001, seconds)));
            if (!recovery.isEmpty()) {
                List<Long> sorted = new ArrayList<>(recovery);
                Collections.sort(sorted);
                out.put(
                        "recovery_ms",
                        "p50=" + sorted.get(sorted.size() / 2) + " max=" + sorted.get(sorted.size() - 1) + " (n="
                                + sorted.size() + ", bound " + RECOVERY_BOUND_MILLIS + ")");
            }
            StringBuilder text = new StringBuilder();
            out.forEach((k, v) -> text.append(text.length() == 0 ? "" : " ")
                    .append(k)
                    .append('=')
                    .append(v));
            return text.toString();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(300_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError(thread.getName() + " did not finish within 300 s");
        }
    }
}
