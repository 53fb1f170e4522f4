package dev.walletledger.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real server jar in its own JVM, as an operator runs it, with a bounded heap. */
final class ServerProcess implements AutoCloseable {
    static final String HEAP = "256m";
    private static final Duration START_WAIT = Duration.ofSeconds(90);

    /** At most this many extra JVM options, each starting with {@code -} (never a class or jar to run). */
    static final int JVM_OPTIONS_MAX = 32;

    private final Process process;
    private final int port;
    private final Path log;
    private final long launchedNanos;
    private double startSeconds = Double.NaN;
    private double rssPeakMegabytes;

    private ServerProcess(Process process, int port, Path log, long launchedNanos) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.launchedNanos = launchedNanos;
    }

    static ServerProcess start(Path jar, String jdbcUrl, Map<String, String> extraEnvironment, Path log) {
        return start(jar, List.of(), jdbcUrl, extraEnvironment, log);
    }

    /**
     * The jar in a new JVM with the bench's heap and then {@code jvmOptions} (so that an option given can
     * override the heap), waiting until it answers its health check.
     */
    static ServerProcess start(
            Path jar, List<String> jvmOptions, String jdbcUrl, Map<String, String> extraEnvironment, Path log) {
        checkJvmOptions(jvmOptions);
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + HEAP, "-Xms" + HEAP));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("DATABASE_URL", jdbcUrl);
        environment.put("PORT", Integer.toString(port));
        environment.put("HOST", "127.0.0.1");
        environment.putAll(extraEnvironment);
        try {
            long launched = System.nanoTime();
            ServerProcess server = new ServerProcess(builder.start(), port, log, launched);
            server.awaitHealthy();
            server.startSeconds = (System.nanoTime() - launched) / 1e9;
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + jar, e);
        }
    }

    private void awaitHealthy() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(uri("/api/v1/health"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(200);
        }
        close();
        throw new IllegalStateException("the server did not become healthy within " + START_WAIT + "; see " + log);
    }

    static void checkJvmOptions(List<String> jvmOptions) {
        if (jvmOptions.size() > JVM_OPTIONS_MAX) {
            throw new IllegalArgumentException("at most " + JVM_OPTIONS_MAX + " server JVM options");
        }
        for (String option : jvmOptions) {
            if (!option.startsWith("-")
                    || option.equals("-jar")
                    || option.equals("-cp")
                    || option.equals("-classpath")) {
                throw new IllegalArgumentException(
                        "a server JVM option starts with - and names no class path or jar, got " + option);
            }
        }
    }

    /** Seconds from launching the JVM to its first healthy answer. */
    double startSeconds() {
        return startSeconds;
    }

    /** Seconds since the JVM was launched. */
    double secondsSinceLaunch() {
        return (System.nanoTime() - launchedNanos) / 1e9;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    double cpuSeconds() {
        return Processes.cpuSeconds(process.pid());
    }

    /** Samples the resident set size; keeps the peak. */
    double sampleRss() {
        double rss = Processes.rssMegabytes(process.pid());
        if (rss > rssPeakMegabytes) {
            rssPeakMegabytes = rss;
        }
        return rss;
    }

    double rssPeakMegabytes() {
        return rssPeakMegabytes;
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the server shuts down gracefully
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
