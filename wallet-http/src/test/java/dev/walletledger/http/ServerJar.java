package dev.walletledger.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The server jar in a JVM of its own, as an operator runs it: for the tests that kill it, restart it or
 * watch it refuse to start. The jar is {@code -Dwallet.server.jar} (failsafe sets it) or the module's
 * {@code target/wallet-server.jar}.
 */
public final class ServerJar {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private ServerJar() {}

    /**
     * Starts the jar on 127.0.0.1 with {@code env} on top of this JVM's environment minus {@code DATABASE_URL}
     * (the server uses its embedded PostgreSQL unless {@code env} gives one); output goes to {@code log}.
     *
     * @param heap the {@code -Xmx} value, or null for the JVM's default
     */
    public static Process start(Map<String, String> env, String heap, Path log) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (heap != null) {
            command.add("-Xmx" + heap);
        }
        command.addAll(List.of("-jar", System.getProperty("wallet.server.jar", "target/wallet-server.jar")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("DATABASE_URL");
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the server jar", e);
        }
    }

    /** The health route's status, or empty while nothing answers on {@code port}. */
    public static OptionalInt health(int port) {
        try {
            return OptionalInt.of(CLIENT.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode());
        } catch (IOException notListening) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Waits (at most {@code wait}) until health answers 200; fails with {@code logs} if the server exits. */
    public static void awaitHealthy(Process process, int port, Duration wait, Supplier<String> logs) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited (" + process.exitValue() + "):\n" + logs.get());
            }
            if (health(port).orElse(0) == 200) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("the server did not become healthy within " + wait + ":\n" + logs.get());
    }
}
