package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.http.Main;
import dev.walletledger.http.ServerConfig;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.testing.TestDatabase;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R23: continuous WAL archiving of the embedded PostgreSQL ({@code WALLET_WAL_ARCHIVE_DIR}) meets a full
 * archive: its bound ({@code WALLET_WAL_ARCHIVE_MAX_BYTES}) is taken by a filler file. Archiving must then
 * fail loudly (health details, /metrics) while the ledger keeps serving, and once room is made, every WAL
 * file must reach the archive, none skipped.
 */
class WalArchiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 64L << 20;
    private static final long WAIT_MILLIS = 120_000;

    @TempDir
    Path temp;

    @Test
    void aFullArchiveIsALoudFailureAndNothingIsSkippedOnceThereIsRoom() throws Exception {
        TestDatabase.assumeOwnServers();
        Path data = temp.resolve("data");
        Path archive = temp.resolve("archive");
        LedgerService.quietLogs();
        try (Main main = Main.start(ServerConfig.fromEnvironment(Map.of(
                        "WALLET_DATA_DIR", data.toString(),
                        "WALLET_WAL_ARCHIVE_DIR", archive.toString(),
                        "WALLET_WAL_ARCHIVE_MAX_BYTES", Long.toString(MAX_BYTES),
                        "PORT", "0")));
                EmbeddedDatabase attached = EmbeddedDatabase.startOrAttach(data)) {
            HttpLedgerClient client = new HttpLedgerClient(main::port, Duration.ofSeconds(20), 1, 20_000);
            topUp(client, "arch-1");
            String first = switchWal(attached);
            awaitArchived(attached, first);
            // Health and /metrics answer what PostgreSQL said at most a second ago (WalArchiveMonitor.FRESH), not
            // what the last periodic check (every 10 s) saw.
            Thread.sleep(1_100);
            JsonNode ok = JSON.readTree(client.get("/api/v1/health").body()).get("wal_archive");
            assertEquals("ok", ok.get("status").asText(), ok.toString());
            assertEquals(first, ok.get("last_archived_wal").asText(), ok.toString());
            String counted = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(
                    counted.contains("\nwallet_wal_archive_archived_total " + archivedCount(attached) + "\n"), counted);
            System.out.println("R23 archiving: " + ok);

            Path filler = archive.resolve("filler");
            try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
                file.setLength(MAX_BYTES); // sparse, but du -b counts it whole: the bound is reached
            }
            topUp(client, "arch-2");
            String stuck = switchWal(attached);
            JsonNode failing = awaitHealth(client, s -> s.equals("failing"), "archiving to fail");
            System.out.println("R23 archive full: " + failing);
            assertTrue(failing.get("failed").asLong() > 0, failing.toString());
            String metrics = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("\nwallet_wal_archive_failing 1\n"), metrics);
            assertEquals(201, topUp(client, "arch-3"), "the ledger goes on serving: PostgreSQL keeps the WAL");
            assertTrue(!Files.exists(archive.resolve(stuck)), "nothing was archived past the bound");

            Files.delete(filler);
            String last = switchWal(attached); // wakes the archiver
            awaitHealth(client, s -> s.equals("ok") && Files.exists(archive.resolve(last)), "archiving to resume");
            List<String> segments;
            try (Stream<Path> files = Files.list(archive)) {
                segments = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches("[0-9A-F]{24}"))
                        .sorted()
                        .toList();
            }
            for (int i = 1; i < segments.size(); i++) {
                assertEquals(
                        Long.parseLong(segments.get(i - 1).substring(16), 16) + 1,
                        Long.parseLong(segments.get(i).substring(16), 16),
                        "no WAL file skipped: " + segments);
            }
            assertTrue(segments.contains(stuck), "the file held back by the full archive arrived: " + segments);
            System.out.println("R23 room made: " + segments.size() + " WAL files archived, none skipped");
        }
    }

    /** Unset again, archiving is off at the next start: not left on with no command, filling pg_wal unseen. */
    @Test
    void unsettingTheArchiveTurnsArchivingOff() throws Exception {
        TestDatabase.assumeOwnServers();
        Path data = temp.resolve("data");
        LedgerService.quietLogs();
        try (Main main = Main.start(ServerConfig.fromEnvironment(Map.of(
                        "WALLET_DATA_DIR", data.toString(),
                        "WALLET_WAL_ARCHIVE_DIR", temp.resolve("archive").toString(),
                        "PORT", "0")));
                EmbeddedDatabase attached = EmbeddedDatabase.startOrAttach(data)) {
            assertEquals("on", setting(attached, "archive_mode"));
        }
        try (Main main = Main.start(
                        ServerConfig.fromEnvironment(Map.of("WALLET_DATA_DIR", data.toString(), "PORT", "0")));
                EmbeddedDatabase attached = EmbeddedDatabase.startOrAttach(data)) {
            assertEquals("off", setting(attached, "archive_mode"));
        }
    }

    private static String setting(EmbeddedDatabase database, String name) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('" + name + "')")) {
            row.next();
            return row.getString(1);
        }
    }

    private static int topUp(HttpLedgerClient client, String reference) throws Exception {
        HttpResponse<byte[]> answer = client.post(
                "/api/v1/wallets/topup",
                "{\"user_id\":\"arch\",\"asset_code\":\"GOLD_COINS\",\"amount\":1,\"reference_id\":\"" + reference
                        + "\"}");
        return answer.statusCode();
    }

    /** Waits (bounded) until PostgreSQL says {@code file} is its last archived WAL file. */
    private static void awaitArchived(EmbeddedDatabase database, String file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (System.nanoTime() < deadline) {
            try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), null);
                    Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT last_archived_wal FROM pg_stat_archiver")) {
                row.next();
                if (file.equals(row.getString(1))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + file + " to be archived");
    }

    private static long archivedCount(EmbeddedDatabase database) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT archived_count FROM pg_stat_archiver")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Ends the current WAL file (so it is due for archiving); returns its name. */
    private static String switchWal(EmbeddedDatabase database) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            row.next();
            return row.getString(1);
        }
    }

    /** Polls /api/v1/health until its wal_archive status passes {@code done} (bounded). */
    private static JsonNode awaitHealth(HttpLedgerClient client, Predicate<String> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(client.get("/api/v1/health").body()).get("wal_archive");
            if (last != null && done.test(last.get("status").asText())) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what + "; health said " + last);
    }
}
