package dev.walletledger.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load: wrk (a C load generator with a Lua script that sends a unique reference per request) when
 * installed, else a JDK HttpClient generator. Closed loop for peak throughput; an open-loop, fixed-rate
 * mode (JDK client) for latency at a given rate, measured from each request's scheduled send time so
 * that a stalled server cannot hide its queueing (no coordinated omission).
 */
final class HttpLoad {
    /** Request {@code seq}'s method, path and body (null for GET); {seq} and {user} are filled in per request. */
    record Shape(String method, String pathTemplate, String bodyTemplate, int users) {
        static Shape topUps(String run, int users) {
            return new Shape(
                    "POST",
                    "/api/v1/wallets/topup",
                    "{\"user_id\":\"h{user}\",\"asset_code\":\"GOLD_COINS\",\"amount\":10,\"reference_id\":\"" + run
                            + "-{seq}\",\"payment_method\":\"bench\"}",
                    users);
        }

        static Shape balanceReads(int users) {
            return new Shape("GET", "/api/v1/wallets/r{user}/balance?asset_code=GOLD_COINS", null, users);
        }

        String path(long sequence) {
            return fill(pathTemplate, sequence);
        }

        String body(long sequence) {
            return bodyTemplate == null ? null : fill(bodyTemplate, sequence);
        }

        private String fill(String template, long sequence) {
            return template.replace("{seq}", Long.toString(sequence))
                    .replace("{user}", Long.toString(sequence % users));
        }
    }

    private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");
    private static final Pattern LATENCY_LINE = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)");

    private HttpLoad() {}

    static Optional<Path> findWrk() {
        return Processes.find("wrk", List.of("/usr/bin/wrk", "/usr/local/bin/wrk"));
    }

    /** Closed loop with wrk: {@code connections} connections on 2 threads for {@code seconds}. */
    static Result wrk(Path wrk, String workload, URI base, Shape shape, int connections, int seconds) {
        Path script = luaScript(shape);
        try {
            List<String> command = List.of(
                    wrk.toString(),
                    "-t",
                    Integer.toString(Math.min(2, connections)),
                    "-c",
                    Integer.toString(connections),
                    "-d",
                    seconds + "s",
                    "--latency",
                    "--timeout",
                    "10s",
                    "-s",
                    script.toString(),
                    base.toString());
            Processes.Output output = Processes.run(command, Map.of(), Duration.ofSeconds(seconds + 60L));
            String text = output.text();
            Matcher rate = REQUESTS.matcher(text);
            if (output.exitCode() != 0 || !rate.find()) {
                throw new IllegalStateException("wrk failed: " + text);
            }
            long errors = 0;
            Matcher non2xx = NON_2XX.matcher(text);
            if (non2xx.find()) {
                errors += Long.parseLong(non2xx.group(1));
            }
            Matcher socket = SOCKET_ERRORS.matcher(text);
            if (socket.find()) {
                for (int group = 1; group <= 4; group++) {
                    errors += Long.parseLong(socket.group(group));
                }
            }
            Matcher total = TOTAL.matcher(text);
            Matcher max = LATENCY_LINE.matcher(text);
            return new Result(
                    workload,
                    "wrk",
                    connections,
                    Double.parseDouble(rate.group(1)),
                    percentile(text, "50%"),
                    percentile(text, "99%"),
                    max.find() ? millis(max.group(1)) : Double.NaN,
                    total.find() ? Long.parseLong(total.group(1)) : 0,
                    0,
                    errors,
                    0,
                    "",
                    Double.NaN,
                    String.format("wrk used %.0f%% of one core", 100 * output.cpuSeconds() / seconds));
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    private static double percentile(String text, String label) {
        Matcher matcher =
                Pattern.compile("\\s" + Pattern.quote(label) + "\\s+(\\S+)").matcher(text);
        return matcher.find() ? millis(matcher.group(1)) : Double.NaN;
    }

    /** wrk prints durations as 812.00us, 1.23ms, 2.01s, 1.00m. */
    static double millis(String value) {
        Matcher m = Pattern.compile("([0-9.]+)(us|ms|s|m)").matcher(value);
        if (!m.matches()) {
            return Double.NaN;
        }
        double number = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> number / 1000;
            case "ms" -> number;
            case "s" -> number * 1000;
            default -> number * 60_000;
        };
    }

    /** A Lua script giving every request of every wrk thread a unique sequence number. */
    private static Path luaScript(Shape shape) {
        String script = """
                local counter = 0
                local threads = 0
                function setup(thread)
                  thread:set("base", threads * 1000000000)
                  threads = threads + 1
                end
                local function fill(template, seq)
                  local out = string.gsub(template, "{seq}", tostring(seq))
                  out = string.gsub(out, "{user}", tostring(seq %% %d))
                  return out
                end
                request = function()
                  counter = counter + 1
                  local seq = base + counter
                  local headers = {}
                  local body = nil
                  if %s then
                    body = fill(%s, seq)
                    headers["Content-Type"] = "application/json"
                  end
                  return wrk.format("%s", fill(%s, seq), headers, body)
                end
                """.formatted(
                        shape.users(),
                        shape.bodyTemplate() != null,
                        lua(shape.bodyTemplate()),
                        shape.method(),
                        lua(shape.pathTemplate()));
        try {
            Path file = Files.createTempFile("wrk-", ".lua");
            Files.writeString(file, script);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lua(String text) {
        return text == null ? "nil" : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Closed loop with the JDK client: {@code connections} requests in flight at all times. */
    static Result jdkClosedLoop(String workload, URI base, Shape shape, int connections, int seconds) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2))
                .build();
        AtomicLong sequence = new AtomicLong();
        LongAdder errors = new LongAdder();
        List<Latencies> latencies = new ArrayList<>();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Latencies mine = new Latencies();
            latencies.add(mine);
            loops.add(loop(client, base, shape, sequence, errors, mine, deadline));
        }
        CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0]))
                .orTimeout(seconds + 60L, TimeUnit.SECONDS)
                .join();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long total = latencies.stream().mapToLong(Latencies::count).sum();
        Latencies.Summary summary;
        synchronized (latencies) {
            summary = Latencies.summarize(latencies);
        }
        return new Result(
                workload,
                "jdk-client",
                connections,
                total / elapsed,
                summary.p50Millis(),
                summary.p99Millis(),
                summary.maxMillis(),
                total,
                0,
                errors.sum(),
                0,
                "",
                Double.NaN,
                "");
    }

    private static CompletableFuture<Void> loop(
            HttpClient client,
            URI base,
            Shape shape,
            AtomicLong sequence,
            LongAdder errors,
            Latencies latencies,
            long deadline) {
        if (System.nanoTime() >= deadline) {
            return CompletableFuture.completedFuture(null);
        }
        long begin = System.nanoTime();
        return client.sendAsync(
                        request(base, shape, sequence.incrementAndGet()), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> {
                    synchronized (latencies) {
                        latencies.record(System.nanoTime() - begin);
                    }
                    if (failure != null || response.statusCode() >= 300) {
                        errors.increment();
                    }
                    return null;
                })
                .thenCompose(ignored -> loop(client, base, shape, sequence, errors, latencies, deadline));
    }

    /**
     * Open loop at {@code ratePerSecond}: requests are scheduled at fixed intervals whatever the server
     * does; latency counts from the scheduled time. At most {@code inFlightMax} outstanding (beyond, the
     * request counts as an error: the server is not keeping up).
     */
    static Result jdkFixedRate(
            String workload, URI base, Shape shape, double ratePerSecond, int inFlightMax, int seconds) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2))
                .build();
        Semaphore inFlight = new Semaphore(inFlightMax);
        LongAdder errors = new LongAdder();
        Latencies latencies = new Latencies();
        long total = Math.max(1, Math.round(ratePerSecond * seconds));
        long intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
        long started = System.nanoTime();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            long scheduled = started + i * intervalNanos;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (!inFlight.tryAcquire()) {
                errors.increment();
                continue;
            }
            sent.add(client.sendAsync(
                            request(base, shape, i + 1_000_000_000_000L), HttpResponse.BodyHandlers.discarding())
                    .handle((response, failure) -> {
                        inFlight.release();
                        synchronized (latencies) {
                            latencies.record(System.nanoTime() - scheduled);
                        }
                        if (failure != null || response.statusCode() >= 300) {
                            errors.increment();
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]))
                .orTimeout(60, TimeUnit.SECONDS)
                .join();
        double elapsed = (System.nanoTime() - started) / 1e9;
        Latencies.Summary summary = Latencies.summarize(List.of(latencies));
        return new Result(
                workload,
                "jdk-open-loop",
                inFlightMax,
                latencies.count() / elapsed,
                summary.p50Millis(),
                summary.p99Millis(),
                summary.maxMillis(),
                latencies.count(),
                0,
                errors.sum(),
                0,
                "",
                Double.NaN,
                String.format("fixed rate %.0f/s, latency from the scheduled send time", ratePerSecond));
    }

    private static HttpRequest request(URI base, Shape shape, long sequence) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(base.resolve(shape.path(sequence))).timeout(Duration.ofSeconds(10));
        String body = shape.body(sequence);
        if (body == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
