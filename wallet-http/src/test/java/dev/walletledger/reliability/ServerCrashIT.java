package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walletledger.http.ServerJar;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R2/R18 on the real process: the built {@code wallet-server.jar} under the bank workload, killed with
 * kill -9 mid-load and started again on the same port, on its embedded PostgreSQL (PG-Z, in a data
 * directory of this test) and on an external one (PG-D via {@code DATABASE_URL}). Every other kill also
 * kill -9s PostgreSQL, like a machine crash. Clients retry with the same reference ids through the
 * outage: nothing acknowledged is lost, nothing applied twice, every operation in doubt settled.
 */
class ServerCrashIT {

    /** Kills, pauses or restarts a PostgreSQL of its own: only with the embedded default (TestDatabase). */
    @BeforeEach // per test, so that each shows as skipped in the report, with the reason
    void onlyOnOwnServers() {
        TestDatabase.assumeOwnServers();
    }

    private static final Duration STARTUP_WAIT = Duration.ofSeconds(180);

    @TempDir
    Path directory;

    private final List<Path> logs = new ArrayList<>();

    @Test
    void killServerOnEmbeddedPostgres() throws Exception {
        Run run = Run.start("R18 kill server PG-Z");
        Path data = directory.resolve("data");
        Supplier<String> jdbcUrl = () -> DatabaseFaultTest.url(embeddedPort(data));
        killLoop(
                run,
                Map.of("WALLET_DATA_DIR", data.toString()),
                jdbcUrl,
                () -> {
                    try {
                        long pid = Long.parseLong(Files.readAllLines(data.resolve("postgres/postmaster.pid"))
                                .get(0)
                                .strip());
                        List<Long> tree = new ArrayList<>();
                        ProcessHandle.of(pid).ifPresent(p -> {
                            tree.add(p.pid());
                            p.descendants().forEach(d -> tree.add(d.pid()));
                        });
                        PostgresInstance.signal("-KILL", tree);
                        ProcessHandle.of(pid)
                                .ifPresent(p -> p.onExit()
                                        .orTimeout(30, TimeUnit.SECONDS)
                                        .join());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                },
                () -> {},
                "PG-Z (embedded, started by the server)");
    }

    @Test
    void killServerOnExternalPostgres() throws Exception {
        assumeTrue(DebianPostgres.available(), "Debian PostgreSQL 15 and root are needed");
        Run run = Run.start("R18 kill server PG-D");
        try (DebianPostgres postgres = DebianPostgres.create()) {
            String url = DatabaseFaultTest.url(postgres.port()) + "&user=postgres";
            killLoop(
                    run,
                    Map.of("DATABASE_URL", url),
                    () -> DatabaseFaultTest.url(postgres.port()),
                    postgres::kill9,
                    postgres::start,
                    "PG-D (external, DATABASE_URL) " + postgres.settings());
        }
    }

    private void killLoop(
            Run run,
            Map<String, String> env,
            Supplier<String> jdbcUrl,
            Runnable killPostgres,
            Runnable startPostgres,
            String database)
            throws Exception {
        Random random = run.random();
        int port = PostgresInstance.freePort();
        int kills = run.pick(2, 25);
        List<Long> startupMillis = new ArrayList<>();
        Process[] server = {start(port, env, 0)};
        try {
            awaitHealthy(server[0], port);
            HttpLedgerClient client = new HttpLedgerClient(() -> port, Duration.ofMillis(2_000), 1_000, 180_000);
            BankWorkload bank = new BankWorkload(run, client, jdbcUrl, "wallet", run.pick(16, 32));
            bank.seed();
            bank.load(run.pick(6, 12), () -> {
                for (int k = 1; k <= kills; k++) {
                    BankWorkload.sleep(2_000 + random.nextInt(run.pick(2_000, 6_000)));
                    long killed = System.nanoTime();
                    server[0].destroyForcibly(); // SIGKILL: no shutdown hook runs
                    waitFor(server[0]);
                    boolean postgresToo = k % 2 == 0;
                    if (postgresToo) {
                        killPostgres.run();
                        startPostgres.run();
                    }
                    long started = System.nanoTime();
                    server[0] = start(port, env, k);
                    awaitHealthy(server[0], port);
                    startupMillis.add((System.nanoTime() - started) / 1_000_000);
                    bank.awaitFirstWrite(killed); // recovery: from the kill to the first acknowledged write
                }
                BankWorkload.sleep(1_000);
            });
            bank.verify(
                    run.test().split(" ")[0],
                    "database=\"" + database + "\" server_kills=" + kills + " postgres_kills=" + kills / 2
                            + " server_startup_ms=" + startupMillis);
        } finally {
            server[0].destroy();
            if (!server[0].waitFor(60, TimeUnit.SECONDS)) {
                server[0].destroyForcibly();
                waitFor(server[0]);
            }
        }
    }

    private Process start(int port, Map<String, String> env, int generation) {
        Map<String, String> all = new HashMap<>(env);
        all.put("PORT", Integer.toString(port));
        all.put("LOG_LEVEL", "warn");
        Path log = directory.resolve("server-" + generation + ".log");
        logs.add(log);
        return ServerJar.start(all, "512m", log);
    }

    private void awaitHealthy(Process process, int port) {
        ServerJar.awaitHealthy(process, port, STARTUP_WAIT, this::tail);
    }

    private static int embeddedPort(Path data) {
        try {
            return Integer.parseInt(Files.readAllLines(data.resolve("postgres/postmaster.pid"))
                    .get(3)
                    .strip());
        } catch (IOException | RuntimeException e) {
            return 1; // not running now: the snapshot read fails and is counted as such
        }
    }

    private static void waitFor(Process process) {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server survived kill -9");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        List<String> lines = new ArrayList<>();
        for (Path log : logs) {
            try {
                lines.add("--- " + log.getFileName());
                lines.addAll(Files.readAllLines(log));
            } catch (IOException e) {
                lines.add("(unreadable)");
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
