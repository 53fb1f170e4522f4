package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * R21: the server on Patroni (Debian's Patroni 3.0 with etcd 3.4, two PostgreSQL 15 nodes, synchronous
 * replication), given both hosts in one libpq URL with {@code target_session_attrs=read-write}. Under the
 * bank workload: kill -9 of the primary node (Patroni and PostgreSQL) and, later, a planned switchover.
 * Nothing acknowledged may be lost or doubled, every operation in doubt is settled, and the time from the
 * kill to the first acknowledged write is reported.
 */
class PatroniFailoverTest {
    private static final String SCHEMA = "wallet";

    @BeforeEach
    void onlyWithTheRealComponents() {
        TestDatabase.assumeOwnServers();
        assumeTrue(PatroniCluster.available(), "Debian's patroni, etcd and PostgreSQL 15, and root, are needed");
    }

    @Test
    void killOfThePrimaryAndASwitchoverLoseAndDoubleNothing() throws Exception {
        Run run = Run.start("R21 Patroni");
        try (PatroniCluster cluster = PatroniCluster.start();
                LedgerService service = LedgerService.start(
                        Map.of("DATABASE_URL", cluster.libpqUrl()), SCHEMA, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofMillis(5_000), 400, 120_000);
            BankWorkload bank = new BankWorkload(run, client, cluster::jdbcUrl, SCHEMA, run.pick(16, 32));
            bank.seed();
            List<String> events = new ArrayList<>();
            bank.load(run.pick(8, 16), () -> {
                BankWorkload.sleep(run.pick(3_000, 10_000));
                int primary = cluster.primary();
                long killed = System.nanoTime();
                cluster.kill9(primary);
                int promoted = cluster.awaitPrimary(90);
                long promotedMillis = (System.nanoTime() - killed) / 1_000_000;
                long firstWrite = bank.awaitFirstWrite(killed);
                events.add("kill9(node" + (primary + 1) + ") promoted=node" + (promoted + 1) + " promotion_ms="
                        + promotedMillis + " first_write_ms=" + firstWrite);
                cluster.startNode(primary); // the old primary rejoins as a replica (pg_rewind)
                cluster.awaitRole(primary, "replica", 180);
                BankWorkload.sleep(run.pick(2_000, 10_000));
                long switched = System.nanoTime();
                cluster.switchover(promoted, primary, 60);
                long switchWrite = bank.awaitFirstWrite(switched);
                events.add("switchover(node" + (promoted + 1) + "->node" + (primary + 1) + ") first_write_ms="
                        + switchWrite);
                BankWorkload.sleep(2_000);
            });
            bank.verify("R21", "patroni=3.0.2 etcd=3.4 postgres=15 synchronous_mode=on " + events);
            assertTrue(events.size() == 2, events.toString());
        }
    }
}
