package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Double-spend attacks and duplicate deliveries over HTTP. */
class HttpConcurrencyTest {
    private static final int THREADS = 16;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        try {
            assertTrue(server.ledger.ledger().verify().consistent());
        } finally {
            server.close();
        }
    }

    @Test
    void concurrentSpendsNeverOverdraw() throws Exception {
        long seed = Seeds.seed("HttpConcurrencyTest.concurrentSpendsNeverOverdraw");
        Random random = new Random(seed);
        for (int attack = 0; attack < 5; attack++) {
            String user = "attacked_" + attack;
            long funds = 1_000 + random.nextInt(1_000);
            assertEquals(
                    201,
                    server.post("/api/v1/wallets/topup", body(user, funds, "fund_" + user))
                            .status());
            long spend = funds * 9 / 10; // each spend is 90% of the funds: at most one may win
            List<TestServer.Reply> replies =
                    together(i -> server.post("/api/v1/wallets/spend", body(user, spend, "spend_" + user + "_" + i)));
            long won = replies.stream().filter(r -> r.status() == 201).count();
            long refused = replies.stream().filter(r -> r.status() == 422).count();
            assertEquals(1, won, "exactly one spend wins (seed " + seed + ")");
            assertEquals(THREADS - 1, refused, "the others are refused for insufficient funds");
            assertEquals(funds - spend, server.balance(user, "GOLD_COINS"));
        }
    }

    @Test
    void concurrentIdenticalTopUpsApplyOnce() throws Exception {
        String request = body("dup_user", 777, "dup_reference");
        List<TestServer.Reply> replies = together(i -> server.post("/api/v1/wallets/topup", request));
        Set<String> transactions = new HashSet<>();
        int created = 0;
        for (TestServer.Reply reply : replies) {
            assertTrue(reply.status() == 201 || reply.status() == 200, reply.status() + " " + reply.text());
            created += reply.status() == 201 ? 1 : 0;
            transactions.add(reply.json().get("transaction_id").asText());
        }
        assertEquals(1, created, "one original answer, the rest replays");
        assertEquals(1, transactions.size(), "one transaction");
        assertEquals(777, server.balance("dup_user", "GOLD_COINS"));
    }

    private static String body(String user, long amount, String reference) {
        return "{\"user_id\":\"" + user + "\",\"asset_code\":\"GOLD_COINS\",\"amount\":" + amount
                + ",\"reference_id\":\"" + reference + "\"}";
    }

    private interface Call {
        TestServer.Reply send(int index);
    }

    /** Sends THREADS requests released at once; every wait is bounded. */
    private static List<TestServer.Reply> together(Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestServer.Reply>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    assertTrue(go.await(30, TimeUnit.SECONDS));
                    return call.send(index);
                }));
            }
            assertTrue(ready.await(30, TimeUnit.SECONDS));
            go.countDown();
            List<TestServer.Reply> replies = new ArrayList<>();
            for (Future<TestServer.Reply> future : futures) {
                replies.add(future.get(60, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }
}
