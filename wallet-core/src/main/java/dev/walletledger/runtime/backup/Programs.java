package dev.walletledger.runtime.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the PostgreSQL programs a backup or restore needs: bounded, their output kept for the message. */
final class Programs {
    /** A program that could not be started at all (not installed, not executable). */
    static final class NotStarted extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Programs() {}

    /**
     * Runs {@code command} (as {@code osUser} through runuser, when given) with {@code environment} added,
     * and waits at most {@code secondsMax}: then it is killed. Its output goes to a file, so a program that
     * writes much or hangs cannot hold the wait.
     *
     * @return its output
     * @throws NotStarted            when it cannot be started
     * @throws IllegalStateException when it fails or overruns, with its exit code and output
     */
    static String run(List<String> command, Optional<String> osUser, Map<String, String> environment, long secondsMax) {
        List<String> full = new ArrayList<>();
        osUser.ifPresent(user -> full.addAll(List.of("runuser", "-u", user, "--")));
        full.addAll(command);
        String name = Path.of(command.get(0)).getFileName().toString();
        Path output = null;
        try {
            output = Files.createTempFile("wallet-" + name + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new NotStarted("could not run " + command.get(0) + ": " + e.getMessage(), e);
            }
            if (!process.waitFor(secondsMax, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + secondsMax + " s: " + tail(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(name + " failed (exit " + process.exitValue() + "): " + tail(output));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " ran", e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** The last lines of a program's output, for a message. */
    private static String tail(Path output) throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()))
                .strip();
    }
}
