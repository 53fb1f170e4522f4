package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * R5: a proxy between the client and Undertow discards a share of the server's answers, which are written
 * only after the commit: the client never learns the outcome and sends the same request (same reference
 * id) again. Each reference gives exactly one transaction, and the replay the client finally gets is the
 * byte-identical answer (200, {@code Idempotent-Replayed: true}) that a later replay gives too.
 */
class LostResponseTest {
    @Test
    void lostAnswersAreReplayedNotReapplied() throws Exception {
        Run run = Run.start("R5 lost HTTP responses");
        String schema = TestDatabase.newSchemaName();
        try (LedgerService service =
                        LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16);
                FaultProxy proxy = new FaultProxy("http", service::port, run.seed())) {
            HttpLedgerClient viaProxy = new HttpLedgerClient(proxy::port, Duration.ofSeconds(10), 50, 60_000);
            BankWorkload bank = new BankWorkload(run, viaProxy, TestDatabase::jdbcUrl, schema, run.pick(8, 32));
            bank.seed();
            double share = 0.2;
            bank.load(run.pick(4, 8), () -> {
                proxy.dropResponses(share);
                try {
                    BankWorkload.sleep(run.pick(8_000L, 120_000L));
                } finally {
                    proxy.heal();
                }
            });
            long dropped = proxy.fault("responses_dropped");
            BankWorkload.Figures figures = bank.verify("R5", "responses_dropped=" + dropped + " drop_share=" + share);
            assertTrue(dropped > 0, "no answer was dropped; the test proves nothing");
            assertTrue(figures.resolvedByReplay > 0, "no lost answer was settled by a replay");
        }
    }
}
