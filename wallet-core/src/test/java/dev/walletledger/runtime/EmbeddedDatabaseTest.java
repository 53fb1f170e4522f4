package dev.walletledger.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {
    @TempDir
    Path directory;

    @Test
    void startsDurablyAttachesKeepsDataAcrossRestartsAndIgnoresAStalePidFile() throws Exception {
        List<String> notices = new ArrayList<>();
        try (EmbeddedDatabase owner = EmbeddedDatabase.startOrAttach(directory, notices::add)) {
            assertTrue(owner.startedHere());
            try (HikariDataSource pool = DataSources.pool(owner.jdbcUrl(), owner.user(), owner.password(), 2, "t")) {
                assertEquals(List.of(), Durability.check(pool));
            }
            execute(owner.jdbcUrl(), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
            try (EmbeddedDatabase attached = EmbeddedDatabase.startOrAttach(directory)) {
                assertFalse(attached.startedHere());
                assertEquals(owner.port(), attached.port());
            }
            assertEquals(
                    42, queryInt(owner.jdbcUrl(), "SELECT n FROM kept")); // closing the attached one stopped nothing
        }
        long deadPid = LongStream.range(4_000_000, 4_100_000)
                .filter(pid -> ProcessHandle.of(pid).isEmpty())
                .findFirst()
                .orElseThrow();
        Files.writeString(directory.resolve("postgres/postmaster.pid"), deadPid + "\n/x\n0\n5432\n");
        try (EmbeddedDatabase again = EmbeddedDatabase.startOrAttach(directory, notices::add)) {
            assertTrue(again.startedHere());
            assertEquals(42, queryInt(again.jdbcUrl(), "SELECT n FROM kept"));
        }
        assertTrue(notices.stream().anyMatch(n -> n.contains("stale")), notices.toString());
    }

    @Test
    void restartsAfterItsOwnerWasKilledLeavingAnOrphanedPostmaster() throws Exception {
        Process owner = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OwnerProcess.class.getName(),
                        directory.toString(),
                        "before-kill")
                .redirectErrorStream(true)
                .start();
        int orphanPort = awaitReady(owner);
        owner.destroyForcibly(); // SIGKILL: PostgreSQL, a daemon of pg_ctl, keeps running
        assertTrue(owner.waitFor(30, TimeUnit.SECONDS));
        long orphan = Long.parseLong(Files.readAllLines(directory.resolve("postgres/postmaster.pid"))
                .get(0)
                .strip());
        assertTrue(ProcessHandle.of(orphan).isPresent(), "the postmaster outlived its owner");

        List<String> notices = new ArrayList<>();
        try (EmbeddedDatabase restarted = EmbeddedDatabase.startOrAttach(directory, notices::add)) {
            assertTrue(restarted.startedHere());
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(1, queryInt(restarted.jdbcUrl(), "SELECT count(*) FROM survivor WHERE note = 'before-kill'"));
            assertNotEquals(0, orphanPort);
        }
        assertTrue(notices.stream().anyMatch(n -> n.contains("orphan")), notices.toString());
    }

    private static int awaitReady(Process process) throws Exception {
        BufferedReader output =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (line.startsWith("READY ")) {
                        return Integer.parseInt(line.substring(6).strip());
                    }
                }
                return 0;
            } catch (Exception e) {
                return 0;
            }
        });
        try {
            int port = Optional.ofNullable(ready.get(120, TimeUnit.SECONDS)).orElse(0);
            assertNotEquals(0, port, "the owner process never became ready");
            return port;
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static void execute(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int queryInt(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }
}
