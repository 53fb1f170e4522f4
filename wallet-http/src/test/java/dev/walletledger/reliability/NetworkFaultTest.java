package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * R4: network faults between the server's pool and PostgreSQL, through our {@link FaultProxy}, under the mixed
 * bank workload (every movement), on PG-D (Debian's PostgreSQL 15) and PG-Z (the embedded default). Window by
 * window: latency with jitter, connections reset mid-statement, a blackhole (answers vanish, nothing is
 * closed), a partition that heals, and cuts right after COMMIT (the in-doubt commit).
 *
 * <p>Besides the bank's checks (nothing acknowledged lost, nothing applied twice, every operation in doubt
 * settled, no reference answered "refused" ever applied), the bounds the server states:
 * <ul>
 *   <li>health answers within {@link #HEALTH_BOUND_MILLIS} during every window, blackhole and partition
 *       included ({@value #HEALTH_SLACK_MILLIS} ms of slack for a loaded 2-core machine);</li>
 *   <li>a write answers within {@link #WRITE_BOUND_MILLIS} (the answer deadline plus the wait for a pooled
 *       connection): 201, 200 or 503 (then in doubt, and settled like any other), never a hang;</li>
 *   <li>once the network heals, a write is acknowledged within {@link #HEALED_BOUND_MILLIS}, and then every
 *       one of {@value #AFTER_HEAL_WRITES} sequential writes on its first attempt: no pooled connection that
 *       crossed the fault lingers.</li>
 * </ul>
 */
class NetworkFaultTest {
    /** Health's bound (wallet-http README, "Deadlines"). */
    static final long HEALTH_BOUND_MILLIS = 2_000;
    /** A write's bound: the 10 s answer deadline plus at most 5 s waiting for a pooled connection. */
    static final long WRITE_BOUND_MILLIS = 15_000;
    /** After the network heals, the first write is acknowledged within this (wallet-http README). */
    static final long HEALED_BOUND_MILLIS = 5_000;
    /** Sequential writes after each heal that must all succeed at their first attempt. */
    static final int AFTER_HEAL_WRITES = 8;
    /** Allowance for a loaded machine: the bounds are the server's; scheduling is the machine's. */
    static final long SLACK_MILLIS = 1_000;
    /** The same for health, whose bound is short: what is left once the bound itself is kept. */
    static final long HEALTH_SLACK_MILLIS = 300;

    private static final String SCHEMA = "wallet";

    /** Cuts PostgreSQL off from the server: only with the embedded default (TestDatabase). */
    @BeforeEach
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    @Test
    void networkFaultsOnDebian() throws Exception {
        assumeTrue(DebianPostgres.available(), "Debian PostgreSQL 15 and root are needed");
        Run run = Run.start("R4 network PG-D");
        try (DebianPostgres postgres = DebianPostgres.create();
                FaultProxy proxy = new FaultProxy("pgd", postgres::port, run.seed())) {
            faults(run, postgres, proxy);
        }
    }

    @Test
    void networkFaultsOnEmbedded() throws Exception {
        Run run = Run.start("R4 network PG-Z");
        try (ZonkyPostgres postgres = ZonkyPostgres.create();
                FaultProxy proxy = new FaultProxy("pgz", postgres::port, run.seed())) {
            faults(run, postgres, proxy);
        }
    }

    /**
     * The library behind the proxy, as an embedding application runs it: {@code DataSources.pool} and a
     * {@code Ledger}, four threads of top-ups and spends through a blackhole and a partition. Every call ends
     * within the bound (applied, refused, or {@code STORAGE_UNAVAILABLE}/{@code BUSY}); after each heal a call
     * succeeds within {@link #HEALED_BOUND_MILLIS} and the next {@value #AFTER_HEAL_WRITES} succeed without a
     * single retry inside the ledger (no broken connection left in the pool). Each call's reference is then
     * read back: a call told applied is applied once, and a call told refused was not applied.
     */
    @Test
    void theLibraryThroughABlackholeAndAPartition() throws Exception {
        Run run = Run.start("R4 network library PG-Z");
        Random random = run.random();
        try (ZonkyPostgres postgres = ZonkyPostgres.create();
                FaultProxy proxy = new FaultProxy("pgz-lib", postgres::port, run.seed());
                com.zaxxer.hikari.HikariDataSource pool = dev.walletledger.runtime.DataSources.pool(
                        DatabaseFaultTest.url(proxy.port()), "postgres", null, 8, "library-under-faults")) {
            dev.walletledger.core.LedgerConfig config = dev.walletledger.core.LedgerConfig.defaults();
            dev.walletledger.core.Ledger.migrate(pool, config);
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            Map<String, String> told = new java.util.concurrent.ConcurrentHashMap<>();
            List<Long> healed = new ArrayList<>();
            long[] callMaxMillis = new long[1];
            try (dev.walletledger.core.Ledger ledger = new dev.walletledger.core.Ledger(pool, config)) {
                dev.walletledger.core.Asset.STARTERS.forEach(ledger::addAsset);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    writers.add(new Thread(
                            () -> {
                                for (int i = 0; !stop.get() && i < 1_000_000; i++) {
                                    String reference = "lib-" + writer + "-" + i;
                                    dev.walletledger.core.Operation operation = i % 3 == 2
                                            ? dev.walletledger.core.Operation.spend(
                                                    "lib_" + writer, "GOLD_COINS", 7, reference)
                                            : dev.walletledger.core.Operation.topUp(
                                                    "lib_" + writer, "GOLD_COINS", 5, reference);
                                    long start = System.nanoTime();
                                    try {
                                        ledger.apply(operation);
                                        told.put(reference, "applied");
                                    } catch (dev.walletledger.core.WalletException e) {
                                        told.put(reference, e.code().name());
                                    }
                                    long took = (System.nanoTime() - start) / 1_000_000;
                                    synchronized (callMaxMillis) {
                                        callMaxMillis[0] = Math.max(callMaxMillis[0], took);
                                    }
                                    if (took > WRITE_BOUND_MILLIS + SLACK_MILLIS) {
                                        problems.add("a library call took " + took + " ms: " + reference);
                                    }
                                }
                            },
                            "library-writer-" + w));
                }
                writers.forEach(Thread::start);
                try {
                    for (int r = 0; r < run.pick(1, 4); r++) {
                        for (Runnable fault : List.<Runnable>of(proxy::blackhole, proxy::partition)) {
                            BankWorkload.sleep(1_000);
                            fault.run();
                            BankWorkload.sleep(2_500 + random.nextInt(2_500));
                            proxy.heal();
                            com.zaxxer.hikari.HikariPoolMXBean state = pool.getHikariPoolMXBean();
                            String atHeal = "pool at the heal: " + state.getTotalConnections() + " connections ("
                                    + state.getActiveConnections() + " busy), " + state.getThreadsAwaitingConnection()
                                    + " callers waiting";
                            healed.add(libraryRecovery(ledger, problems, r, atHeal));
                        }
                    }
                } finally {
                    stop.set(true);
                    for (Thread writer : writers) {
                        writer.join(WRITE_BOUND_MILLIS + 10_000);
                    }
                }
                Map<String, Long> byOutcome = new TreeMap<>();
                for (Map.Entry<String, String> call : told.entrySet()) {
                    byOutcome.merge(call.getValue(), 1L, Long::sum);
                    boolean applied =
                            ledger.transactionByReference(call.getKey()).isPresent();
                    if (call.getValue().equals("applied") != applied
                            && !call.getValue().equals("STORAGE_UNAVAILABLE")
                            && !call.getValue().equals("BUSY")) {
                        problems.add(call.getKey() + " was told " + call.getValue() + " but applied=" + applied);
                    }
                }
                dev.walletledger.core.AuditReport audit = ledger.verify();
                run.summary("R4-library calls=" + told.size() + " by_outcome=" + byOutcome + " call_max_ms="
                        + callMaxMillis[0] + " healed_to_first_call_ms=" + healed + " proxy_faults=" + proxy.faults()
                        + " ledger_retries=" + ledger.metrics().retries());
                assertTrue(audit.consistent(), audit.toString());
                assertTrue(byOutcome.getOrDefault("STORAGE_UNAVAILABLE", 0L) > 0, "no call met the fault");
                assertTrue(problems.isEmpty(), String.join("\n", problems));
            }
        }
    }

    /** After a heal: the first call's success within the bound, then calls with no retry at all. */
    private static long libraryRecovery(
            dev.walletledger.core.Ledger ledger, List<String> problems, int round, String atHeal) {
        long heal = System.nanoTime();
        long recovered = -1;
        for (int i = 0; i < 10_000 && recovered < 0; i++) {
            try {
                ledger.topUp(dev.walletledger.core.Operation.topUp(
                        "lib_probe", "GOLD_COINS", 1, "lib-probe-" + round + "-" + heal + "-" + i));
                recovered = (System.nanoTime() - heal) / 1_000_000;
            } catch (dev.walletledger.core.WalletException e) {
                if ((System.nanoTime() - heal) / 1_000_000 > BankWorkload.RECOVERY_BOUND_MILLIS) {
                    problems.add("the library did not recover: " + e);
                    return -1;
                }
            }
        }
        if (recovered > HEALED_BOUND_MILLIS) {
            problems.add("the library's first call after the heal succeeded after " + recovered + " ms; " + atHeal);
        }
        long retries = ledger.metrics().retries();
        for (int i = 0; i < AFTER_HEAL_WRITES; i++) {
            ledger.topUp(dev.walletledger.core.Operation.topUp(
                    "lib_probe", "GOLD_COINS", 1, "lib-check-" + round + "-" + heal + "-" + i));
        }
        // Other threads' calls count too: the writers run on, but none of them should meet a dead connection now.
        long more = ledger.metrics().retries() - retries;
        if (more > 0) {
            problems.add(more + " retries in the ledger after the heal (" + AFTER_HEAL_WRITES
                    + " sequential calls): a connection that crossed the fault was still in the pool");
        }
        return recovered;
    }

    private void faults(Run run, PostgresInstance postgres, FaultProxy proxy) throws Exception {
        Random random = run.random();
        int rounds = run.pick(1, 6);
        String settings = postgres.settings();
        try (LedgerService service =
                LedgerService.start(DatabaseFaultTest.url(proxy.port()), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofMillis(2_000), 400, 120_000);
            BankWorkload bank = new BankWorkload(
                    run, client, () -> DatabaseFaultTest.url(postgres.port()), SCHEMA, run.pick(16, 32));
            bank.seed();
            Bounds bounds = new Bounds(service::port, bank);
            List<Long> healed = new ArrayList<>();
            bank.load(run.pick(8, 16), () -> {
                for (int r = 0; r < rounds; r++) {
                    window(
                            bank,
                            proxy,
                            bounds,
                            healed,
                            "latency",
                            run.pick(2_500, 6_000),
                            () -> proxy.delay(10, 10 + random.nextInt(290)));
                    window(
                            bank,
                            proxy,
                            bounds,
                            healed,
                            "reset mid-statement",
                            run.pick(2_500, 6_000),
                            () -> proxy.resetMidStatement(0.02 + random.nextDouble() * 0.08));
                    window(bank, proxy, bounds, healed, "blackhole", 2_500 + random.nextInt(2_500), proxy::blackhole);
                    window(bank, proxy, bounds, healed, "partition", 2_500 + random.nextInt(2_500), proxy::partition);
                    window(
                            bank,
                            proxy,
                            bounds,
                            healed,
                            "cut after COMMIT",
                            run.pick(3_000, 8_000),
                            () -> proxy.cutAfterCommit(0.3));
                }
                BankWorkload.sleep(500);
            });
            long cuts = proxy.fault("cuts_after_commit");
            int firstTry = bank.firstAttemptWrites(32);
            Collections.sort(healed);
            BankWorkload.Figures figures = bank.verify(
                    run.test().split(" ")[0],
                    "postgres=\"" + postgres.name() + "\" " + settings + " proxy_faults=" + proxy.faults()
                            + " health_max_ms=" + bounds.healthMaxMillis + " write_max_ms=" + bounds.writeMaxMillis
                            + " writes_by_status=" + bounds.writesByStatus + " healed_to_first_write_ms="
                            + healed + " pool_first_attempt_writes_after_heal=" + firstTry + "/32");
            assertTrue(cuts > 0, "no COMMIT was cut; the test proves nothing");
            assertTrue(proxy.fault("resets_mid_statement") > 0, "no statement was reset; the test proves nothing");
            assertTrue(proxy.fault("bytes_vanished") > 0, "nothing vanished; the test proves nothing");
            assertTrue(
                    figures.serverReplays + figures.resolvedByReplay > 0,
                    "commits were cut but no replay answered them");
            assertTrue(
                    bounds.writesByStatus.getOrDefault(Op.Attempt.UNAVAILABLE.name(), 0L) > 0,
                    "no write was told 503 during a blackhole or partition; the test proves nothing");
            assertEquals(32, firstTry, "after healing, every write succeeds on its first attempt (the pool recovered)");
            assertTrue(bounds.problems.isEmpty(), String.join("\n", bounds.problems));
        }
    }

    /**
     * One fault window: the fault, the bounds probed while it lasts, the heal, then the recovery bound and the
     * sequential first-attempt writes.
     */
    private static void window(
            BankWorkload bank,
            FaultProxy proxy,
            Bounds bounds,
            List<Long> healed,
            String name,
            long millis,
            Runnable fault) {
        fault.run();
        bounds.probe(name, millis);
        proxy.heal();
        long heal = System.nanoTime();
        long recovery = bank.awaitFirstWrite(heal);
        healed.add(recovery);
        if (recovery > HEALED_BOUND_MILLIS) {
            bounds.problems.add(name + ": the first write after the heal took " + recovery + " ms, more than "
                    + HEALED_BOUND_MILLIS);
        }
        int firstTry = bank.firstAttemptWrites(AFTER_HEAL_WRITES);
        if (firstTry != AFTER_HEAL_WRITES) {
            bounds.problems.add(name + ": after the heal, only " + firstTry + " of " + AFTER_HEAL_WRITES
                    + " sequential writes succeeded at their first attempt (connections that crossed the fault"
                    + " linger in the pool)");
        }
    }

    /**
     * Health and write probes of their own while a fault lasts, with client timeouts far beyond the bounds, so
     * that a hang shows as a long answer rather than as a client timeout.
     */
    private static final class Bounds {
        final HttpLedgerClient patient;
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> writesByStatus = Collections.synchronizedMap(new TreeMap<>());
        volatile long healthMaxMillis;
        volatile long writeMaxMillis;
        private int writes;

        final BankWorkload bank;

        Bounds(IntSupplier port, BankWorkload bank) {
            this.patient = new HttpLedgerClient(port, Duration.ofSeconds(60), 1, 60_000);
            this.bank = bank;
        }

        /** Probes for {@code millis} (and for what was in flight when it ends: each probe is bounded). */
        void probe(String window, long millis) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread health = new Thread(
                    () -> {
                        while (!stop.get()) {
                            long start = System.nanoTime();
                            try {
                                HttpResponse<byte[]> answer = patient.get("/api/v1/health");
                                long took = (System.nanoTime() - start) / 1_000_000;
                                healthMaxMillis = Math.max(healthMaxMillis, took);
                                if (took > HEALTH_BOUND_MILLIS + HEALTH_SLACK_MILLIS) {
                                    problems.add(window + ": health answered " + answer.statusCode() + " after " + took
                                            + " ms, past its " + HEALTH_BOUND_MILLIS + " ms bound");
                                }
                            } catch (IOException e) {
                                problems.add(window + ": health gave no answer: " + e);
                            }
                            BankWorkload.sleep(200);
                        }
                    },
                    "bounds-health");
            Thread write = new Thread(
                    () -> {
                        while (!stop.get()) {
                            Op op = bank.write("bounds", writes++); // one attempt, in the bank's history
                            long start = System.nanoTime();
                            patient.execute(op);
                            bank.record(op);
                            long took = (System.nanoTime() - start) / 1_000_000;
                            writeMaxMillis = Math.max(writeMaxMillis, took);
                            Op.Attempt attempt = op.attempts.get(0);
                            writesByStatus.merge(attempt.name(), 1L, Long::sum);
                            if (took > WRITE_BOUND_MILLIS + SLACK_MILLIS) {
                                problems.add(window + ": a write answered after " + took + " ms, past its "
                                        + WRITE_BOUND_MILLIS + " ms bound: " + op.history());
                            }
                            if (attempt == Op.Attempt.NO_ANSWER || attempt == Op.Attempt.UNEXPECTED) {
                                problems.add(window + ": a write was not answered 201, 200 or 503: " + op.history()
                                        + " " + op.unexpected);
                            }
                        }
                    },
                    "bounds-write");
            health.start();
            write.start();
            BankWorkload.sleep(millis);
            stop.set(true);
            join(health);
            join(write);
        }

        private static void join(Thread thread) {
            try {
                thread.join(WRITE_BOUND_MILLIS + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
