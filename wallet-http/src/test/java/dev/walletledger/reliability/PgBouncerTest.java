package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * R19: the server behind Debian's PgBouncer in transaction pooling mode, the real component. Without
 * {@code WALLET_PGBOUNCER=transaction} the driver's server-side prepared statements meet other clients'
 * server connections: those writes must be refused with a 503 that names the setting (they were 500s),
 * and nothing of them written. With it, the bank workload runs clean through the pooler.
 */
class PgBouncerTest {
    private static final String SCHEMA = "wallet";

    @BeforeEach
    void onlyWithTheRealComponents() {
        TestDatabase.assumeOwnServers();
        assumeTrue(PgBouncer.available(), "Debian's pgbouncer and PostgreSQL 15, and root, are needed");
    }

    private static Map<String, String> through(PgBouncer bouncer, DebianPostgres postgres, boolean transaction) {
        Map<String, String> env = new TreeMap<>();
        env.put("DATABASE_URL", DatabaseFaultTest.url(bouncer.port()) + "&user=postgres");
        // Migrations take a session-level advisory lock: they go straight to PostgreSQL, as the guide says.
        env.put("WALLET_MIGRATION_DATABASE_URL", DatabaseFaultTest.url(postgres.port()) + "&user=postgres");
        if (transaction) {
            env.put("WALLET_PGBOUNCER", "transaction");
        }
        return env;
    }

    @Test
    void withoutTheSettingPooledWritesAreA503NamingItNeverA500() throws Exception {
        try (DebianPostgres postgres = DebianPostgres.create();
                // One server connection for all of the server's: every pooled connection's prepared statements
                // meet the others' (a busy pooler does the same, only less predictably).
                PgBouncer bouncer = PgBouncer.start(postgres.port(), "transaction", 1);
                LedgerService service = LedgerService.start(
                        through(bouncer, postgres, false), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 1, 30_000);
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> bodies = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    String body = "{\"user_id\":\"u" + (i % 40) + "\",\"asset_code\":\"GOLD_COINS\",\"amount\":1,"
                            + "\"reference_id\":\"pgb-" + i + "\"}";
                    answers.add(pool.submit(() -> client.post("/api/v1/wallets/topup", body)));
                }
                for (Future<HttpResponse<byte[]>> answer : answers) {
                    HttpResponse<byte[]> response = answer.get(60, TimeUnit.SECONDS);
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() != 201 && bodies.size() < 3) {
                        bodies.add(new String(response.body(), StandardCharsets.UTF_8));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.println(
                    "R19 pgbouncer=transaction WALLET_PGBOUNCER=unset statuses=" + statuses + " e.g. " + bodies);
            assertEquals(null, statuses.get(500), "a pooler mismatch is not an internal error: " + bodies);
            assertTrue(
                    statuses.getOrDefault(503, 0) > 0, "the mismatch showed (else this proves nothing): " + statuses);
            assertTrue(bodies.get(0).contains("WALLET_PGBOUNCER=transaction"), bodies.get(0));
            // Checked straight on PostgreSQL: through the misconfigured pooler, reads fail at random too.
            String direct = DatabaseFaultTest.url(postgres.port());
            assertEquals(
                    statuses.getOrDefault(201, 0).intValue(),
                    LedgerSnapshot.transactions(direct, SCHEMA).size(),
                    "every refused write left nothing");
            java.util.Set<String> users = new java.util.HashSet<>();
            for (int u = 0; u < 40; u++) {
                users.add("u" + u);
            }
            assertEquals(List.of(), LedgerSnapshot.read(direct, SCHEMA).violations(users));
        }
    }

    @Test
    void theBankRunsCleanThroughPgBouncerInTransactionMode() throws Exception {
        Run run = Run.start("R19 PgBouncer transaction mode");
        try (DebianPostgres postgres = DebianPostgres.create();
                PgBouncer bouncer = PgBouncer.start(postgres.port(), "transaction", 4);
                LedgerService service = LedgerService.start(
                        through(bouncer, postgres, true), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 20, 60_000);
            BankWorkload bank = new BankWorkload(
                    run, client, () -> DatabaseFaultTest.url(postgres.port()), SCHEMA, run.pick(16, 32));
            bank.seed();
            long millis = run.pick(10_000L, 120_000L);
            bank.load(run.pick(8, 16), () -> BankWorkload.sleep(millis));
            bank.verify("R19", "pooler=\"PgBouncer 1.18, pool_mode=transaction\" WALLET_PGBOUNCER=transaction");
            assertTrue(service.ledger.verify().consistent());
        }
    }
}
