package dev.walletledger.cli.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark working: a one-second-per-run pass over every workload on a fresh durable
 * embedded PostgreSQL. Checks that each run happened and the report, JSON and chart were written;
 * it never checks a speed (those live in the report).
 */
class BenchQuickTest {
    /** Built by the wallet-http module before this one in a full build (./mvnw verify). */
    private static final Path SERVER_JAR = Path.of("..", "wallet-http", "target", "wallet-server.jar");

    @Test
    void everyWorkloadRunsAndTheReportIsWritten(@TempDir Path out) throws Exception {
        long seed = Seeds.seed("BenchQuickTest") & Integer.MAX_VALUE; // replaying N uses N & MAX as before
        boolean http = Files.isRegularFile(SERVER_JAR);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Bench.Settings settings = new Bench.Settings(
                1,
                List.of(1, 2),
                1,
                out,
                Optional.empty(),
                Optional.of(SERVER_JAR),
                http,
                Pgbench.find().isPresent(),
                seed,
                0,
                1,
                List.of(),
                true,
                List.of(),
                http ? 2 : 0, // the first-minute measurement, in two buckets of 1 s
                WarmUp.QUICK);
        Path report = new Bench(settings, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        System.out.println(log.toString(StandardCharsets.UTF_8));

        String markdown = Files.readString(report);
        List<String> json = Files.readAllLines(out.resolve("results.jsonl"));
        for (String workload : List.of(
                "library top-ups",
                "library mix 60/30/10",
                "top-ups, one TREASURY (hot)",
                "top-ups, 16 TREASURYs (spread)",
                "batches of 100",
                "batches of 1000",
                "COPY ceiling, batches of 1000")) {
            assertTrue(markdown.contains("| " + workload + " |"), workload + " missing from\n" + markdown);
        }
        assertTrue(
                markdown.contains("a batch of 1,000 top-ups writes: ledger_entries +2,000")
                        && markdown.contains("ledger_transactions +1,000"),
                "what a batch writes is counted:\n" + markdown);
        assertTrue(markdown.contains("the COPY ceiling"), "batches against the COPY ceiling:\n" + markdown);
        assertTrue(
                markdown.contains("synchronous_commit=on") && markdown.contains("fsync=on"),
                "the benchmark database must be durable:\n" + markdown);
        if (settings.pgbench()) {
            assertTrue(markdown.contains("| pgbench topup_uniform |") && markdown.contains("| pgbench select-only |"));
            assertTrue(markdown.contains("×"), "ratios to pgbench are reported");
        }
        if (http) {
            assertTrue(
                    markdown.contains("| HTTP top-ups |")
                            && markdown.contains("| HTTP balance reads |")
                            && markdown.contains("| HTTP top-ups at 25 % of peak (open loop) | open-loop |")
                            && markdown.contains("| HTTP top-ups at 50 % of peak (open loop) | open-loop |")
                            && markdown.contains("| HTTP top-ups at 75 % of peak (open loop) | open-loop |")
                            && markdown.contains("| HTTP top-ups, fresh server, after warm-up |"),
                    markdown);
            assertTrue(markdown.contains("### First minute of a freshly started server"), markdown);
            assertTrue(markdown.contains("- warm-up before HTTP top-ups @2: "), markdown);
            for (String line : json) {
                if (line.contains("\"driver\":\"open-loop\"")) {
                    assertTrue(!line.contains("\"operations\":0,"), "the open-loop generator sent requests: " + line);
                }
            }
        } else {
            System.out.println("BenchQuickTest: " + SERVER_JAR + " not built (module built alone): HTTP runs skipped");
        }
        assertTrue(json.size() >= 8);
        for (String line : json) {
            if (line.contains("\"driver\":\"library\"")) {
                assertTrue(line.contains("\"errors\":0"), "library runs have no errors: " + line);
            }
        }
        assertNotNull(ImageIO.read(out.resolve("throughput.png").toFile()), "a readable PNG chart");
    }
}
