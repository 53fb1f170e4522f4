package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The retry of a request still in flight (R8 with a spend): a client whose first attempt timed out sends
 * the same spend again while the first is still waiting for the wallet lock. When the first commits, the
 * retry must answer with the first's result (a replay) or a 409 "in flight"; never 422 INSUFFICIENT_FUNDS,
 * which tells the client its spend was not applied while it was.
 *
 * <p>Deterministic: the test holds the wallet's row lock itself, so both attempts queue behind it, then
 * releases it. Failed until the core looked refused references up again under the wallet locks
 * (WriteEngine.settleRefusals); this keeps it fixed.
 */
class InFlightDuplicateTest {
    @Test
    void retryOfASpendInFlightIsNotRefusedForTheFundsItSpent() throws Exception {
        String schema = TestDatabase.newSchemaName();
        try (LedgerService service =
                LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 1, 30_000);
            Op fund = new Op("fund-inflight", Op.Type.TOPUP, "inflight_user", 1_000);
            client.execute(fund);
            assertEquals(Op.Status.ACKNOWLEDGED, fund.status);
            Op spend = new Op("spend-inflight", Op.Type.SPEND, "inflight_user", 900);
            String body = spend.json(HttpLedgerClient.ASSET);
            CompletableFuture<HttpResponse<byte[]>> first;
            CompletableFuture<HttpResponse<byte[]>> retry;
            try (Connection locker = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl(), "postgres", null)) {
                locker.setAutoCommit(false);
                try (PreparedStatement lock = locker.prepareStatement(
                        "SELECT balance FROM " + schema + ".wallets WHERE owner_id = ? FOR UPDATE")) {
                    lock.setString(1, "inflight_user");
                    lock.executeQuery().close();
                }
                first = CompletableFuture.supplyAsync(() -> post(client, spend.path(), body));
                Thread.sleep(500); // the first attempt now waits for the wallet lock
                retry = CompletableFuture.supplyAsync(() -> post(client, spend.path(), body));
                Thread.sleep(500); // so does the retry, having found no transaction with this reference
                locker.commit();
            }
            HttpResponse<byte[]> a = first.get(30, TimeUnit.SECONDS);
            HttpResponse<byte[]> b = retry.get(30, TimeUnit.SECONDS);
            String answers = a.statusCode() + " " + text(a) + "\n" + b.statusCode() + " " + text(b);
            assertEquals(
                    100,
                    LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema)
                            .userBalances(HttpLedgerClient.ASSET)
                            .get("inflight_user"),
                    "the spend applied once");
            assertTrue(
                    a.statusCode() != 422 && b.statusCode() != 422,
                    "one attempt was refused for insufficient funds although its reference was applied:\n" + answers);
        }
    }

    private static HttpResponse<byte[]> post(HttpLedgerClient client, String path, String body) {
        try {
            return client.post(path, body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
