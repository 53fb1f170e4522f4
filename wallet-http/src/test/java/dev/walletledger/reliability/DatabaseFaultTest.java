package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * R2, R3: the bank workload over HTTP (an in-process server wired like {@code Main}) while the test
 * kills or pauses a PostgreSQL of its own ({@link NetworkFaultTest}, R4, cuts it off). Clients retry every operation in doubt with its
 * reference id; afterwards nothing acknowledged is missing, nothing is applied twice, every operation in
 * doubt is settled to exactly one effect or none, and after each fault heals a write is acknowledged
 * within {@link BankWorkload#RECOVERY_BOUND_MILLIS}.
 */
class DatabaseFaultTest {

    /** Kills, pauses or restarts a PostgreSQL of its own: only with the embedded default (TestDatabase). */
    @BeforeEach // per test, so that each shows as skipped in the report, with the reason
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    private static final String SCHEMA = "wallet";

    /** R2 on PG-D: kill -9 of the whole PostgreSQL tree mid-load, then a restart (crash recovery). */
    @Test
    void killPostgresDebian() throws Exception {
        assumeTrue(DebianPostgres.available(), "Debian PostgreSQL 15 and root are needed");
        Run run = Run.start("R2 kill PG-D");
        try (DebianPostgres postgres = DebianPostgres.create()) {
            killLoop(run, postgres, postgres::port, false);
        }
    }

    /** R2 on PG-Z: the same on the server's own embedded PostgreSQL (reached through a stable proxy port). */
    @Test
    void killPostgresEmbedded() throws Exception {
        Run run = Run.start("R2 kill PG-Z");
        try (ZonkyPostgres postgres = ZonkyPostgres.create();
                FaultProxy proxy = new FaultProxy("pgz", postgres::port, run.seed())) {
            killLoop(run, postgres, proxy::port, false);
        }
    }

    /** R2 with Jepsen's bank proper: transfers only, every snapshot read sees the same total. */
    @Test
    void killPostgresEmbeddedUnderTransfers() throws Exception {
        Run run = Run.start("R2 kill PG-Z transfers");
        try (ZonkyPostgres postgres = ZonkyPostgres.create();
                FaultProxy proxy = new FaultProxy("pgz", postgres::port, run.seed())) {
            killLoop(run, postgres, proxy::port, true);
        }
    }

    private void killLoop(
            Run run, PostgresInstance postgres, java.util.function.IntSupplier serverPort, boolean transfersOnly)
            throws Exception {
        String settings = postgres.settings();
        Random random = run.random();
        int kills = run.pick(2, 25);
        List<Long> downMillis = new ArrayList<>();
        try (LedgerService service =
                LedgerService.start(url(serverPort.getAsInt()), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            // A request timeout shorter than most outages: some requests end in doubt and must be settled.
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofMillis(1_500), 400, 120_000);
            BankWorkload bank =
                    new BankWorkload(run, client, () -> url(postgres.port()), SCHEMA, run.pick(16, 32), transfersOnly);
            bank.seed();
            bank.load(run.pick(8, 16), () -> {
                for (int k = 0; k < kills; k++) {
                    BankWorkload.sleep(run.pick(2_500, 5_000) + random.nextInt(run.pick(2_000, 5_000)));
                    long down = System.nanoTime();
                    postgres.kill9();
                    BankWorkload.sleep(200 + random.nextInt(1_500));
                    postgres.start();
                    downMillis.add((System.nanoTime() - down) / 1_000_000);
                    bank.awaitFirstWrite(down); // recovery: from the kill to the first acknowledged write
                }
                BankWorkload.sleep(1_000);
            });
            bank.verify(
                    run.test().split(" ")[0],
                    "postgres=\"" + postgres.name() + "\" " + settings + " kills=" + kills + " down_ms=" + downMillis);
        }
    }

    /**
     * R3: SIGSTOP of the whole PostgreSQL tree for longer than the client's request timeout, then SIGCONT.
     * Requests in flight commit after the client gave up on them: ambiguous commits, on purpose, settled by
     * retrying with the same reference (a replay).
     */
    @Test
    void pausePostgres() throws Exception {
        assumeTrue(DebianPostgres.available(), "Debian PostgreSQL 15 and root are needed");
        Run run = Run.start("R3 pause PG-D");
        Random random = run.random();
        int pauses = run.pick(3, 30);
        List<Long> pausedMillis = new ArrayList<>();
        try (DebianPostgres postgres = DebianPostgres.create();
                LedgerService service =
                        LedgerService.start(url(postgres.port()), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            String settings = postgres.settings();
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofMillis(1_000), 400, 120_000);
            BankWorkload bank = new BankWorkload(run, client, () -> url(postgres.port()), SCHEMA, run.pick(16, 32));
            bank.seed();
            bank.load(run.pick(8, 16), () -> {
                for (int p = 0; p < pauses; p++) {
                    BankWorkload.sleep(1_500 + random.nextInt(2_000));
                    long millis = 1_500 + random.nextInt(3_500);
                    postgres.pause();
                    try {
                        BankWorkload.sleep(millis);
                    } finally {
                        postgres.resume();
                    }
                    pausedMillis.add(millis);
                    bank.awaitFirstWrite();
                }
                BankWorkload.sleep(1_000);
            });
            BankWorkload.Figures figures = bank.verify(
                    "R3",
                    "postgres=\"" + postgres.name() + "\" " + settings + " pauses=" + pauses + " paused_ms="
                            + pausedMillis + " client_timeout_ms=1000");
            assertTrue(figures.resolvedApplied > 0, "the pauses produced no ambiguous commit; the test proves nothing");
        }
    }

    static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable&gssEncMode=disable";
    }
}
