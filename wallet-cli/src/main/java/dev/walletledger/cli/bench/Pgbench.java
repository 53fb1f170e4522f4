package dev.walletledger.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own client on the same server: the ceiling for one-transaction-per-request designs. The
 * scripts are shaped like a top-up: one account row updated and one history row inserted per transaction
 * ({@link #UNIFORM}), and the same plus one row every transaction updates ({@link #HOT}).
 */
final class Pgbench {
    static final String UNIFORM = """
            \\set aid random(1, 100000 * :scale)
            \\set delta random(1, 5000)
            BEGIN;
            UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
            INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
            END;
            """;
    static final String HOT = """
            \\set aid random(1, 100000 * :scale)
            \\set delta random(1, 5000)
            BEGIN;
            UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
            UPDATE pgbench_branches SET bbalance = bbalance - :delta WHERE bid = 1;
            INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
            END;
            """;

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\((without|excluding)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: ([0-9]+)");

    private final Path binary;
    private final List<String> connection;
    private final Map<String, String> environment;
    private final Path scripts;

    Pgbench(Path binary, String host, int port, String user, String password, String database) {
        this.binary = binary;
        this.connection = List.of("-h", host, "-p", Integer.toString(port), "-U", user, database);
        this.environment = password == null ? Map.of() : Map.of("PGPASSWORD", password);
        try {
            this.scripts = Files.createTempDirectory("pgbench-scripts");
            Files.writeString(scripts.resolve("topup_uniform.sql"), UNIFORM);
            Files.writeString(scripts.resolve("topup_hot.sql"), HOT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** pgbench from PATH or Debian's PostgreSQL packages. */
    static Optional<Path> find() {
        List<String> candidates = new ArrayList<>();
        for (int major = 20; major >= 13; major--) {
            candidates.add("/usr/lib/postgresql/" + major + "/bin/pgbench");
        }
        return Processes.find("pgbench", candidates);
    }

    String version() {
        return Processes.run(List.of(binary.toString(), "--version"), environment, Duration.ofSeconds(30))
                .text()
                .strip();
    }

    void initialize(int scale) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-i", "-q", "-s", Integer.toString(scale)));
        command.addAll(connection);
        Processes.Output output = Processes.run(command, environment, Duration.ofMinutes(10));
        if (output.exitCode() != 0) {
            throw new IllegalStateException("pgbench -i failed: " + output.text());
        }
    }

    /** {@code script} is "topup_uniform", "topup_hot" or "select-only" (the built-in -S). */
    Result run(String script, int clients, int seconds) {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "-M",
                "prepared",
                "-n",
                "-j",
                Integer.toString(Math.min(2, clients)),
                "-c",
                Integer.toString(clients),
                "-T",
                Integer.toString(seconds)));
        if (script.equals("select-only")) {
            command.add("-S");
        } else {
            command.addAll(List.of("-f", scripts.resolve(script + ".sql").toString()));
        }
        command.addAll(connection);
        Processes.Output output = Processes.run(command, environment, Duration.ofSeconds(seconds + 120L));
        Matcher tps = TPS.matcher(output.text());
        if (output.exitCode() != 0 || !tps.find()) {
            throw new IllegalStateException("pgbench " + script + " failed: " + output.text());
        }
        Matcher latency = LATENCY.matcher(output.text());
        double average = latency.find() ? Double.parseDouble(latency.group(1)) : Double.NaN;
        Matcher failed = FAILED.matcher(output.text());
        long errors = failed.find() ? Long.parseLong(failed.group(1)) : 0;
        double rate = Double.parseDouble(tps.group(1));
        return new Result(
                "pgbench " + script,
                "pgbench",
                clients,
                rate,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Math.round(rate * seconds),
                0,
                errors,
                0,
                "",
                Double.NaN,
                "latency average " + average + " ms; pgbench reports no percentiles");
    }
}
