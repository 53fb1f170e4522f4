package dev.walletledger.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs external tools (pgbench, wrk) with a bounded wait and captures their output. */
final class Processes {
    private Processes() {}

    record Output(int exitCode, String text, double cpuSeconds) {}

    static Output run(List<String> command, Map<String, String> environment, Duration timeout) {
        try {
            Path log = Files.createTempFile("bench-", ".out");
            try {
                ProcessBuilder builder =
                        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                double cpu = 0;
                long deadline = System.nanoTime() + timeout.toNanos();
                while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                    cpu = Math.max(cpu, cpuSeconds(process.pid()));
                    if (System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException(command.get(0) + " did not finish within " + timeout);
                    }
                }
                return new Output(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), cpu);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** User plus system CPU seconds of a live process, from /proc (0 when unavailable). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in ticks
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Resident set size of a live process in MB, from /proc (NaN when unavailable). */
    static double rssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** The first executable among the candidates, searching PATH for bare names. */
    static java.util.Optional<Path> find(String name, List<String> candidates) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
