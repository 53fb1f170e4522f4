package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.contract.OpenApiContract;
import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a real process on the embedded, durable PostgreSQL: acknowledged top-ups, kill -9,
 * restart on the same data directory, and every acknowledged write is present and replays identically.
 */
class CrashRecoveryIT {

    /** Kills, pauses or restarts a PostgreSQL of its own: only with the embedded default (TestDatabase). */
    @BeforeEach // per test, so that each shows as skipped in the report, with the reason
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    private static final Duration STARTUP_WAIT = Duration.ofSeconds(180);

    @TempDir
    Path directory;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void acknowledgedWritesSurviveKillMinus9() throws Exception {
        long seed = Seeds.seed("CrashRecoveryIT");
        Random random = new Random(seed);
        int port = freePort();
        Map<String, byte[]> acknowledged = new LinkedHashMap<>();
        Process first = startServer(port, "first");
        long postmaster;
        try {
            awaitHealthy(first, port);
            for (int i = 0; i < 40; i++) {
                String body = topUp("crash_user_" + (i % 4), 1 + random.nextInt(10_000), "crash_ref_" + i);
                HttpResponse<byte[]> response = post(port, body);
                assertEquals(201, response.statusCode(), new String(response.body()));
                acknowledged.put(body, response.body());
            }
            postmaster = postmasterPid();
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        }
        // Also kill the PostgreSQL the dead server left behind, so the restart meets a stale pid file.
        ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(postmaster)
                .ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());

        Process second = startServer(port, "second");
        try {
            awaitHealthy(second, port);
            for (Map.Entry<String, byte[]> write : acknowledged.entrySet()) {
                HttpResponse<byte[]> replay = post(port, write.getKey());
                assertEquals(200, replay.statusCode(), new String(replay.body()));
                assertEquals(
                        "true",
                        replay.headers().firstValue("Idempotent-Replayed").orElse(""));
                assertArrayEquals(write.getValue(), replay.body(), "the replay is byte-identical");
            }
            assertTheFeedTellsEveryWrite(acknowledged.size());
        } finally {
            second.destroy(); // SIGTERM: the graceful path, which also stops PostgreSQL
            if (!second.waitFor(60, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
        int exit = second.exitValue();
        assertTrue(exit == 0 || exit == 143, "a SIGTERM shutdown exits cleanly, got " + exit + "\n" + logs());
        Path pidFile = directory.resolve("data/postgres/postmaster.pid");
        assertTrue(!Files.exists(pidFile), "the graceful shutdown stopped PostgreSQL");
    }

    /**
     * After the kill, straight on the server's PostgreSQL: the feed has exactly one event per committed transaction
     * (each acknowledged top-up's among them) and per controls change, and verify's events and controls checks hold.
     */
    private void assertTheFeedTellsEveryWrite(int acknowledged) throws Exception {
        // postmaster.pid's fourth line is the port
        int port = Integer.parseInt(Files.readAllLines(directory.resolve("data/postgres/postmaster.pid"))
                .get(3)
                .strip());
        org.postgresql.ds.PGSimpleDataSource database = new org.postgresql.ds.PGSimpleDataSource();
        database.setURL("jdbc:postgresql://localhost:" + port + "/postgres");
        database.setUser("postgres");
        dev.walletledger.core.LedgerConfig config = dev.walletledger.core.LedgerConfig.defaults();
        try (dev.walletledger.core.Ledger ledger = new dev.walletledger.core.Ledger(database, config)) {
            ledger.sequenceEvents();
            dev.walletledger.core.AuditReport report = ledger.verify();
            assertTrue(
                    report.holds(dev.walletledger.core.AuditCheck.EVENTS)
                            && report.holds(dev.walletledger.core.AuditCheck.CONTROLS),
                    report.violations().toString());
        }
        String s = config.schema();
        try (java.sql.Connection connection = database.getConnection();
                java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet row = statement.executeQuery(("SELECT"
                                + " (SELECT count(*) FROM {s}.ledger_events ev JOIN {s}.ledger_transactions t"
                                + "   ON t.id = ev.transaction_id WHERE t.reference_id LIKE 'crash\\_ref\\_%') AS told,"
                                + " (SELECT count(*) FROM {s}.ledger_events) AS events,"
                                + " (SELECT count(*) FROM {s}.ledger_transactions)"
                                + "   + (SELECT count(*) FROM {s}.ledger_controls) AS changes")
                        .replace("{s}", s))) {
            row.next();
            assertEquals(acknowledged, row.getLong("told"), "one event per acknowledged top-up");
            assertEquals(row.getLong("changes"), row.getLong("events"), "one event per committed change");
        }
    }

    private Process startServer(int port, String name) {
        return ServerJar.start(
                Map.of(
                        "PORT",
                        Integer.toString(port),
                        "WALLET_DATA_DIR",
                        directory.resolve("data").toString()),
                null,
                directory.resolve(name + ".log"));
    }

    private void awaitHealthy(Process process, int port) {
        ServerJar.awaitHealthy(process, port, STARTUP_WAIT, () -> {
            try {
                return logs();
            } catch (IOException e) {
                return "(logs unreadable: " + e.getMessage() + ")";
            }
        });
    }

    private HttpResponse<byte[]> post(int port, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/wallets/topup"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        OpenApiContract.record(OpenApiContract.Exchange.of(request, body.getBytes(StandardCharsets.UTF_8), response));
        return response;
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(directory.resolve("data/postgres/postmaster.pid"))
                .get(0)
                .strip());
    }

    private String logs() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String name : new String[] {"first.log", "second.log"}) {
            Path log = directory.resolve(name);
            if (Files.exists(log)) {
                lines.add("--- " + name);
                lines.addAll(Files.readAllLines(log));
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    private static String topUp(String user, long amount, String reference) {
        return "{\"user_id\":\"" + user + "\",\"asset_code\":\"GOLD_COINS\",\"amount\":" + amount
                + ",\"reference_id\":\"" + reference + "\",\"payment_method\":\"card\",\"metadata\":{\"n\":" + amount
                + "}}";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
