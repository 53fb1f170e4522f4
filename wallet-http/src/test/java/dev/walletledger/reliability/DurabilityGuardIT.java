package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.http.ServerJar;
import dev.walletledger.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R16: the built server refuses to serve a database on which an acknowledged commit could be lost (a kill -9
 * test cannot prove fsync, so the settings are checked at startup): {@code fsync}, {@code synchronous_commit}
 * and {@code full_page_writes} each off in turn make it exit 1 naming the setting, without listening; with
 * {@code WALLET_ALLOW_NON_DURABLE=true} it serves and says so loudly; a durable database is served.
 */
class DurabilityGuardIT {

    /** Kills, pauses or restarts a PostgreSQL of its own: only with the embedded default (TestDatabase). */
    @BeforeEach // per test, so that each shows as skipped in the report, with the reason
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    private static final long EXIT_WAIT_SECONDS = 120;

    @TempDir
    Path directory;

    @Test
    void theServerRefusesANonDurableDatabase() throws Exception {
        assumeTrue(DebianPostgres.available(), "Debian PostgreSQL 15 and root are needed");
        Run run = Run.start("R16 durability guard");
        List<String> cases = new ArrayList<>();
        try (DebianPostgres postgres = DebianPostgres.create()) {
            String url = DatabaseFaultTest.url(postgres.port()) + "&user=postgres";
            String[][] offs = {
                {"off", "on", "on", "fsync=off"},
                {"on", "off", "on", "synchronous_commit=off"},
                {"on", "on", "off", "full_page_writes=off"}
            };
            for (String[] off : offs) {
                postgres.restartWith(off[0], off[1], off[2]);
                Result refused = serve(url, false, "refused-" + off[3]);
                assertEquals(1, refused.exit, "exit code with " + off[3] + "\n" + refused.log);
                assertTrue(
                        refused.log.contains("refusing to serve") && refused.log.contains(off[3]),
                        "the refusal names " + off[3] + ":\n" + refused.log);
                cases.add(off[3] + "->refused");
            }
            postgres.restartWith("off", "off", "off");
            Result allowed = serve(url, true, "allowed");
            assertEquals(200, allowed.health, allowed.log);
            assertTrue(allowed.log.contains("NOT DURABLE"), "a loud warning:\n" + allowed.log);
            cases.add("all_off+WALLET_ALLOW_NON_DURABLE->served_with_warning");
            postgres.restartWith("on", "on", "on");
            Result durable = serve(url, false, "durable");
            assertEquals(200, durable.health, durable.log);
            cases.add("durable->served");
        }
        run.summary("R16 cases=" + cases.size() + " passed=" + cases.size() + " " + cases);
    }

    record Result(int exit, int health, String log) {}

    /** Starts the jar; returns its exit code if it stops by itself, else its health status (then stops it). */
    private Result serve(String url, boolean allowNonDurable, String name) throws Exception {
        int port = PostgresInstance.freePort();
        Path log = directory.resolve(name + ".log");
        Process process = ServerJar.start(
                Map.of(
                        "DATABASE_URL",
                        url,
                        "PORT",
                        Integer.toString(port),
                        "WALLET_ALLOW_NON_DURABLE",
                        Boolean.toString(allowNonDurable)),
                "256m",
                log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EXIT_WAIT_SECONDS);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return new Result(process.exitValue(), -1, Files.readString(log));
                }
                OptionalInt health = ServerJar.health(port);
                if (health.isPresent()) {
                    return new Result(-1, health.getAsInt(), Files.readString(log));
                }
                BankWorkload.sleep(100);
            }
            throw new AssertionError("the server neither exited nor served within " + EXIT_WAIT_SECONDS + " s:\n"
                    + Files.readString(log));
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
