package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * R24: the first outcome of a reference is bound to it, a refusal like a success, on every node. A client
 * times out and sends its spend again; the retry is refused for want of funds while the first attempt is still
 * in flight, held up behind another wallet's row lock (in a coalesced group on another node, or in a batch);
 * then the wallet is funded and the first attempt goes on. Under 0.2.0 it applied: the client was told
 * "refused" and the coins moved. Now either the retry waits for the first attempt and answers with its outcome,
 * or the refusal, once bound, is what the first attempt answers too.
 *
 * <p>Deterministic: the test holds the row locks and polls {@code pg_locks} and the coalescer's queue, so every
 * step happens in the order written, whatever the machine's speed.
 */
class RefusalBindingTest {
    private static final long WAIT_MILLIS = 30_000;
    private static final String ASSET = HttpLedgerClient.ASSET;

    /**
     * Two nodes. Node 1's four lanes are held up by four locked wallets, so its spend queues with a top-up of
     * the gated wallet {@code a_gate}; a lane takes both as one group and waits for {@code a_gate}, which sorts
     * before the payer. Node 2 is sent the same spend meanwhile.
     */
    @Test
    void aRetryOnAnotherNodeIsNeverRefusedWhileTheFirstAttemptGoesOnToApply() throws Exception {
        String schema = TestDatabase.newSchemaName();
        try (LedgerService one =
                        LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16);
                LedgerService two =
                        LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient first = new HttpLedgerClient(one::port, Duration.ofSeconds(60), 1, 60_000);
            HttpLedgerClient second = new HttpLedgerClient(two::port, Duration.ofSeconds(60), 1, 60_000);
            List<String> lanes = List.of("l_lane0", "l_lane1", "l_lane2", "l_lane3");
            for (String owner : concat(lanes, List.of("a_gate", "z_payer"))) {
                assertEquals(
                        201,
                        post(first, "/api/v1/wallets/topup", topUp(owner, 1, "setup-" + owner))
                                .statusCode());
            }
            String spend = spend("z_payer", 100, "spend-once");
            List<Connection> locks = new ArrayList<>();
            try {
                List<CompletableFuture<HttpResponse<byte[]>>> held = new ArrayList<>();
                for (String owner : lanes) {
                    locks.add(rowLock(schema, owner));
                    held.add(postAsync(first, "/api/v1/wallets/topup", topUp(owner, 1, "held-" + owner)));
                    int waiting = locks.size();
                    waitFor(() -> lockWaiters() == waiting, "node 1's lane " + waiting + " to wait for " + owner);
                }
                Connection gate = rowLock(schema, "a_gate");
                locks.add(gate);
                CompletableFuture<HttpResponse<byte[]>> gated =
                        postAsync(first, "/api/v1/wallets/topup", topUp("a_gate", 1, "gated"));
                waitFor(() -> one.ledger.metrics().queued() == 1, "the gated top-up to queue on node 1");
                CompletableFuture<HttpResponse<byte[]>> attempt = postAsync(first, "/api/v1/wallets/spend", spend);
                waitFor(() -> one.ledger.metrics().queued() == 2, "the first attempt to queue behind it");
                locks.get(0).commit(); // lane 0 finishes its top-up, takes [gated top-up, spend], waits for a_gate
                waitFor(
                        () -> one.ledger.metrics().queued() == 0 && lockWaiters() == 4,
                        "node 1's group to wait for a_gate");

                CompletableFuture<HttpResponse<byte[]>> retry = postAsync(second, "/api/v1/wallets/spend", spend);
                waitFor(() -> retry.isDone() || lockWaiters() == 5, "the retry on node 2 to answer or to wait");
                HttpResponse<byte[]> funding = post(second, "/api/v1/wallets/topup", topUp("z_payer", 500, "funding"));
                assertEquals(201, funding.statusCode(), text(funding));
                gate.commit(); // node 1's group goes on
                for (Connection lock : locks.subList(1, locks.size() - 1)) {
                    lock.commit();
                }
                assertEquals(201, gated.get(WAIT_MILLIS, TimeUnit.MILLISECONDS).statusCode());
                for (CompletableFuture<HttpResponse<byte[]>> h : held) {
                    assertEquals(201, h.get(WAIT_MILLIS, TimeUnit.MILLISECONDS).statusCode());
                }
                judge(
                        schema,
                        "spend-once",
                        attempt.get(WAIT_MILLIS, TimeUnit.MILLISECONDS),
                        retry.get(WAIT_MILLIS, TimeUnit.MILLISECONDS),
                        501);
            } finally {
                for (Connection lock : locks) {
                    lock.close();
                }
            }
            assertTrue(one.ledger.verify().consistent());
        }
    }

    /**
     * One node. The first attempt is the second operation of an independent batch whose first waits for the
     * gated wallet; the retry is sent alone.
     */
    @Test
    void aRetryIsNeverRefusedWhileTheFirstAttemptWaitsInABatch() throws Exception {
        String schema = TestDatabase.newSchemaName();
        try (LedgerService node =
                LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 16)) {
            HttpLedgerClient client = new HttpLedgerClient(node::port, Duration.ofSeconds(60), 1, 60_000);
            for (String owner : List.of("a_gate", "z_payer")) {
                assertEquals(
                        201,
                        post(client, "/api/v1/wallets/topup", topUp(owner, 1, "setup-" + owner))
                                .statusCode());
            }
            String spend = spend("z_payer", 100, "spend-in-batch");
            String batch = "{\"mode\": \"independent\", \"operations\": ["
                    + operation("TOPUP", topUp("a_gate", 1, "gated")) + ", " + operation("SPEND", spend) + "]}";
            try (Connection gate = rowLock(schema, "a_gate")) {
                CompletableFuture<HttpResponse<byte[]>> attempt = postAsync(client, "/api/v1/batch", batch);
                waitFor(() -> lockWaiters() == 1, "the batch to wait for a_gate");
                CompletableFuture<HttpResponse<byte[]>> retry = postAsync(client, "/api/v1/wallets/spend", spend);
                waitFor(() -> retry.isDone() || lockWaiters() == 2, "the retry to answer or to wait");
                HttpResponse<byte[]> funding = post(client, "/api/v1/wallets/topup", topUp("z_payer", 500, "funding"));
                assertEquals(201, funding.statusCode(), text(funding));
                gate.commit();
                HttpResponse<byte[]> batchAnswer = attempt.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                assertEquals(200, batchAnswer.statusCode(), text(batchAnswer));
                judge(schema, "spend-in-batch", batchAnswer, retry.get(WAIT_MILLIS, TimeUnit.MILLISECONDS), 501);
            }
            assertTrue(node.ledger.verify().consistent());
        }
    }

    /**
     * Whatever the order, the two answers agree with the ledger: a reference answered "refused" (422) by any
     * attempt has no transaction, and the payer's balance is what the answers say.
     */
    private static void judge(
            String schema, String reference, HttpResponse<byte[]> first, HttpResponse<byte[]> retry, long fundedBalance)
            throws SQLException {
        String answers = "first attempt: " + first.statusCode() + " " + text(first) + "\nretry: " + retry.statusCode()
                + " " + text(retry);
        boolean applied = applied(schema, reference);
        boolean refused = retry.statusCode() == 422 || refusedInBatch(first);
        assertTrue(
                !(applied && refused), "reference " + reference + " was answered as refused, and applied:\n" + answers);
        long balance = LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema)
                .userBalances(ASSET)
                .get("z_payer");
        assertEquals(applied ? fundedBalance - 100 : fundedBalance, balance, answers);
        // In these orders the retry reaches its claim while the first attempt holds it: it waits, and is told the
        // first attempt's outcome, applied once the wallet was funded.
        assertTrue(applied, answers);
        assertEquals(200, retry.statusCode(), answers);
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(null), answers);
    }

    /** A 422 in the batch's answer, for its spend, or a 422 single answer. */
    private static boolean refusedInBatch(HttpResponse<byte[]> answer) {
        String body = text(answer);
        return answer.statusCode() == 422 || body.contains("\"INSUFFICIENT_FUNDS\"");
    }

    private static boolean applied(String schema, String reference) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(), "postgres", null);
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM " + schema + ".ledger_transactions WHERE reference_id = ?")) {
            s.setString(1, reference);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1) == 1;
            }
        }
    }

    private static String topUp(String user, long amount, String reference) {
        return "{\"user_id\": \"" + user + "\", \"asset_code\": \"" + ASSET + "\", \"amount\": " + amount
                + ", \"reference_id\": \"" + reference + "\"}";
    }

    private static String spend(String user, long amount, String reference) {
        return topUp(user, amount, reference);
    }

    /** A single operation's body as a batch operation of {@code type}. */
    private static String operation(String type, String body) {
        return "{\"type\": \"" + type + "\", " + body.substring(1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Connection rowLock(String schema, String owner) throws SQLException {
        Connection connection = DriverManager.getConnection(TestDatabase.jdbcUrl(), "postgres", null);
        connection.setAutoCommit(false);
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT 1 FROM " + schema + ".wallets WHERE owner_id = ? AND account = 'main' FOR UPDATE")) {
            lock.setString(1, owner);
            lock.executeQuery().close();
        }
        return connection;
    }

    /** Lock requests not granted, anywhere on the server (this test's writers, in practice). */
    private static int lockWaiters() {
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(), "postgres", null);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE NOT granted");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Threads for the requests that wait: the common pool may have one thread on a 2-core machine. */
    private static final ExecutorService CALLERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "refusal-binding-caller");
        thread.setDaemon(true);
        return thread;
    });

    private static CompletableFuture<HttpResponse<byte[]>> postAsync(
            HttpLedgerClient client, String path, String body) {
        return CompletableFuture.supplyAsync(() -> post(client, path, body), CALLERS);
    }

    private static HttpResponse<byte[]> post(HttpLedgerClient client, String path, String body) {
        try {
            return client.post(path, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
