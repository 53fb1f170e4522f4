package dev.walletledger.reliability;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * R1, the baseline: Jepsen's bank over HTTP with no faults. Concurrent random top-ups, bonuses, spends,
 * transfers, reversals and chargebacks with whole-ledger snapshot reads; every read conserves each asset, no USER balance is negative and every
 * stored balance equals its postings; the final history matches the database exactly.
 */
class BankConservationTest {
    @Test
    void bankConservesEveryAssetUnderConcurrentOperations() throws Exception {
        Run run = Run.start("R1 bank");
        String schema = TestDatabase.newSchemaName();
        try (LedgerService service =
                LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 20, 60_000);
            BankWorkload bank = new BankWorkload(run, client, TestDatabase::jdbcUrl, schema, run.pick(16, 64));
            bank.seed();
            long millis = run.pick(12_000L, 180_000L);
            bank.load(run.pick(8, 16), () -> BankWorkload.sleep(millis));
            bank.verify("R1", "faults=none");
        }
    }

    /** Jepsen's bank proper: only transfers between a fixed set of users; every snapshot sees one total. */
    @Test
    void transfersBetweenFixedUsersNeverChangeTheTotal() throws Exception {
        Run run = Run.start("R1 bank transfers");
        String schema = TestDatabase.newSchemaName();
        try (LedgerService service =
                LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 20, 60_000);
            BankWorkload bank = new BankWorkload(run, client, TestDatabase::jdbcUrl, schema, run.pick(8, 32), true);
            bank.seed();
            long millis = run.pick(10_000L, 180_000L);
            bank.load(run.pick(8, 16), () -> BankWorkload.sleep(millis));
            bank.verify("R1-transfers", "faults=none");
        }
    }
}
