package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * R22: reads on a real read replica, a hot standby of Debian's PostgreSQL 15 made with {@code
 * pg_basebackup -R} and streaming from the primary ({@code WALLET_READ_DATABASE_URL}). Replay is paused on
 * the standby to make it stale on purpose: a read without a position gets the stale answer (the staleness
 * the guide states), a read with the position of the caller's last write gets the primary's; replay
 * resumed, the replica serves that position again; the standby killed, reads go to the primary.
 */
class ReadReplicaTest {
    private static final String SCHEMA = "wallet";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MILLIS = 30_000;

    @BeforeEach
    void onlyWithTheRealComponents() {
        TestDatabase.assumeOwnServers();
        assumeTrue(DebianPostgres.available(), "Debian's PostgreSQL 15, and root, are needed");
    }

    private static LedgerService serve(DebianPostgres primary, DebianPostgres standby) {
        return LedgerService.start(
                Map.of(
                        "DATABASE_URL", DatabaseFaultTest.url(primary.port()) + "&user=postgres",
                        "WALLET_READ_DATABASE_URL", DatabaseFaultTest.url(standby.port()) + "&user=postgres"),
                SCHEMA,
                IsolationLevel.READ_COMMITTED,
                8);
    }

    @Test
    void aPositionReadsItsOwnWritesAStaleReplicaIsPassedOverAndADeadOneToo() throws Exception {
        try (DebianPostgres primary = DebianPostgres.create();
                DebianPostgres standby = DebianPostgres.standbyOf(primary);
                LedgerService service = serve(primary, standby)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 1, 30_000);
            String balance = "/api/v1/wallets/r1/balance?asset_code=GOLD_COINS";
            String first = position(topUp(client, "r1", 100, "rr-1"));
            HttpResponse<byte[]> caughtUp = awaitReplica(client, balance, first);
            assertEquals(100, json(caughtUp).get("balance").asLong());

            try (Connection replica = superuser(standby)) {
                execute(replica, "SELECT pg_wal_replay_pause()");
                awaitTrue(() -> "paused".equals(text(replica, "SELECT pg_get_wal_replay_pause_state()")), "paused");
                String second = position(topUp(client, "r1", 50, "rr-2"));

                HttpResponse<byte[]> stale = client.get(balance);
                assertEquals("replica", source(stale), "a read without a position takes the replica as it is");
                assertEquals(100, json(stale).get("balance").asLong(), "stale: the replica has not replayed rr-2");
                HttpResponse<byte[]> own = client.get(balance, Map.of("Wallet-Position", second));
                assertEquals("primary", source(own), "the replica is behind the position");
                assertEquals(150, json(own).get("balance").asLong(), "the caller sees its own write");
                HttpResponse<byte[]> history =
                        client.get("/api/v1/wallets/r1/transactions", Map.of("Wallet-Position", second));
                assertEquals("primary", source(history));
                assertEquals(2, json(history).get("items").size());
                assertEquals(
                        404,
                        client.get("/api/v1/transactions?reference_id=rr-2").statusCode(),
                        "not on the replica yet");
                HttpResponse<byte[]> found =
                        client.get("/api/v1/transactions?reference_id=rr-2", Map.of("Wallet-Position", second));
                assertEquals(200, found.statusCode());
                assertEquals("primary", source(found));
                String metrics = new String(client.get("/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
                long lag = sample(metrics, "wallet_replica_replay_lag_bytes");
                System.out.println("R22 replay paused: replica lag " + lag + " bytes; "
                        + "wallet_replica_reads_behind_total=" + sample(metrics, "wallet_replica_reads_behind_total"));
                assertTrue(lag > 0, "the lag shows in /metrics: " + lag);
                assertTrue(sample(metrics, "wallet_replica_reads_behind_total") >= 3, metrics);

                execute(replica, "SELECT pg_wal_replay_resume()");
                HttpResponse<byte[]> replayed = awaitReplica(client, balance, second);
                assertEquals(150, json(replayed).get("balance").asLong());
            }

            standby.kill9();
            long started = System.nanoTime();
            HttpResponse<byte[]> fallback = client.get(balance);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(200, fallback.statusCode(), "a dead replica is not the caller's problem");
            assertEquals("primary", source(fallback));
            assertEquals(150, json(fallback).get("balance").asLong());
            HttpResponse<byte[]> resting = client.get(balance);
            assertEquals("primary", source(resting));
            System.out.println("R22 standby killed: the first read answered by the primary after " + millis
                    + " ms; the next ones go straight to it while the replica rests");
            String metrics = new String(client.get("/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(sample(metrics, "wallet_replica_reads_unavailable_total") >= 2, metrics);
            assertTrue(service.ledger.verify().consistent());
        }
    }

    /**
     * Several callers, each writing to its own user and reading back with the position its write answered:
     * every such read shows at least that write's balance (exactly it: nobody else writes to that user),
     * whichever database served it. Reads without a position may lag, never lead.
     */
    @Test
    void underLoadEveryReadWithItsPositionSeesItsWrite() throws Exception {
        Run run = Run.start("R22 read-your-writes under load");
        try (DebianPostgres primary = DebianPostgres.create();
                DebianPostgres standby = DebianPostgres.standbyOf(primary);
                LedgerService service = serve(primary, standby)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 1, 30_000);
            int callers = run.pick(4, 8);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(run.pick(8_000L, 300_000L));
            AtomicInteger fromReplica = new AtomicInteger();
            AtomicInteger fromPrimary = new AtomicInteger();
            AtomicInteger staleReads = new AtomicInteger();
            List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    String user = "ryw-" + c;
                    long callerSeed = run.seed() + c;
                    done.add(pool.submit(() -> {
                        java.util.Random random = new java.util.Random(callerSeed);
                        String path = "/api/v1/wallets/" + user + "/balance?asset_code=GOLD_COINS";
                        int writes = 0;
                        while (System.nanoTime() < deadline && writes < 100_000) {
                            writes++;
                            HttpResponse<byte[]> write =
                                    topUp(client, user, 1 + random.nextInt(9), user + "-" + writes);
                            long expected = json(write).get("balance").asLong();
                            boolean withPosition = random.nextInt(4) != 0;
                            HttpResponse<byte[]> read = withPosition
                                    ? client.get(path, Map.of("Wallet-Position", position(write)))
                                    : client.get(path);
                            if (read.statusCode() == 404 && !withPosition) {
                                staleReads.incrementAndGet(); // the replica has not seen the wallet yet
                                continue;
                            }
                            long seen = json(read).get("balance").asLong();
                            (source(read).equals("replica") ? fromReplica : fromPrimary).incrementAndGet();
                            if (withPosition ? seen != expected : seen > expected) {
                                violations.add(user + " write " + writes + ": balance " + expected + ", read "
                                        + seen + " from the " + source(read) + (withPosition ? " with" : " without")
                                        + " its position");
                            } else if (seen < expected) {
                                staleReads.incrementAndGet();
                            }
                        }
                        return writes;
                    }));
                }
                int writes = 0;
                for (Future<Integer> future : done) {
                    writes += future.get(run.pick(60, 600), TimeUnit.SECONDS);
                }
                System.out.println("R22 " + callers + " callers, seed " + run.seed() + ": " + writes
                        + " writes, each read back: " + fromReplica + " reads from the replica, " + fromPrimary
                        + " from the primary (replica behind the position, or unavailable), " + staleReads
                        + " stale reads without a position; violations " + violations.size());
                assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())));
                assertTrue(fromReplica.get() > 0, "the replica served reads (else this proves nothing)");
            } finally {
                pool.shutdownNow();
            }
            assertTrue(service.ledger.verify().consistent());
        }
    }

    private static HttpResponse<byte[]> topUp(HttpLedgerClient client, String user, long amount, String reference)
            throws IOException {
        HttpResponse<byte[]> answer = client.post(
                "/api/v1/wallets/topup",
                "{\"user_id\":\"" + user + "\",\"asset_code\":\"GOLD_COINS\",\"amount\":" + amount
                        + ",\"reference_id\":\"" + reference + "\"}");
        assertEquals(
                201, answer.statusCode(), () -> new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
        return answer;
    }

    private static String position(HttpResponse<byte[]> write) {
        return write.headers()
                .firstValue("Wallet-Position")
                .orElseThrow(() -> new AssertionError("a write with a replica configured answers its position"));
    }

    private static String source(HttpResponse<byte[]> read) {
        return read.headers().firstValue("Wallet-Read-Source").orElse("(none)");
    }

    /** Reads with {@code position} until the replica serves it (bounded). */
    private static HttpResponse<byte[]> awaitReplica(HttpLedgerClient client, String path, String position)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            HttpResponse<byte[]> read = client.get(path, Map.of("Wallet-Position", position));
            assertEquals(200, read.statusCode());
            if (source(read).equals("replica")) {
                return read;
            }
            assertTrue(System.nanoTime() < deadline, "the replica did not replay up to " + position);
            Thread.sleep(20);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private static JsonNode json(HttpResponse<byte[]> answer) throws IOException {
        return JSON.readTree(answer.body());
    }

    private static long sample(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " is not in /metrics");
    }

    private static Connection superuser(DebianPostgres postgres) throws SQLException {
        return DriverManager.getConnection(DatabaseFaultTest.url(postgres.port()) + "&user=postgres");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String text(Connection connection, String sql) {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
