package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * R20: three server nodes on one PostgreSQL, started at the same moment on an empty schema (the migration
 * must run exactly once), then the bank workload spread over all three, each request to the next node.
 */
class ThreeNodesTest {
    @Test
    void threeNodesOnOneDatabaseLoseAndDoubleNothing() throws Exception {
        Run run = Run.start("R20 three nodes");
        String schema = TestDatabase.newSchemaName();
        List<LedgerService> nodes = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(3);
        try {
            List<Future<LedgerService>> starting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starting.add(starter.submit(
                        () -> LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 8)));
            }
            for (Future<LedgerService> node : starting) {
                nodes.add(node.get(120, TimeUnit.SECONDS));
            }
            long migrations = TestDatabase.shippedMigrations();
            try (var connection = TestDatabase.superuser();
                    var statement = connection.createStatement();
                    var row = statement.executeQuery("SELECT count(*), count(DISTINCT version) FROM " + schema
                            + ".flyway_schema_history WHERE success AND version IS NOT NULL")) {
                row.next();
                assertEquals(migrations, row.getLong(1), "each migration ran once");
                assertEquals(migrations, row.getLong(2), "each migration ran once");
            }
            AtomicInteger next = new AtomicInteger();
            HttpLedgerClient client = new HttpLedgerClient(
                    () -> nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()))
                            .port(),
                    Duration.ofSeconds(30),
                    20,
                    60_000);
            BankWorkload bank = new BankWorkload(run, client, TestDatabase::jdbcUrl, schema, run.pick(16, 64));
            bank.seed();
            long millis = run.pick(10_000L, 180_000L);
            bank.load(run.pick(12, 24), () -> BankWorkload.sleep(millis));
            long commits = 0;
            long operations = 0;
            for (LedgerService node : nodes) {
                commits += node.ledger.metrics().transactionsCommitted();
                operations += node.ledger.metrics().operationsApplied();
            }
            bank.verify(
                    "R20",
                    "nodes=3 operations_per_commit="
                            + String.format(java.util.Locale.ROOT, "%.2f", operations / (double) Math.max(1, commits)));
            assertTrue(nodes.get(0).ledger.verify().consistent());
        } finally {
            starter.shutdownNow();
            for (LedgerService node : nodes) {
                node.close();
            }
        }
    }
}
