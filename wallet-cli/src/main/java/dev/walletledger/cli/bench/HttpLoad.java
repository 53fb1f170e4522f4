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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load: wrk (a C load generator with a Lua script that sends a unique reference per request) when
 * installed, else a JDK HttpClient generator. Closed loop for peak throughput; open loop at a fixed rate
 * ({@link OpenLoop}, in a JVM of its own) for latency at a given rate, measured from each request's
 * intended send time so that a stalled server cannot hide its queueing (no coordinated omission).
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

    /** Closed loop with wrk when there is one, else with the JDK client. */
    static Result closedLoop(Optional<Path> wrk, String workload, URI base, Shape shape, int connections, int seconds) {
        return wrk.isPresent()
                ? wrk(wrk.get(), workload, base, shape, connections, seconds)
                : jdkClosedLoop(workload, base, shape, connections, seconds);
    }

    /**
     * Open loop at {@code ratePerSecond} over at most {@code connections} keep-alive connections, by {@link
     * OpenLoop} in a JVM of its own (C1 only and a serial collector: little to compile, nothing to pause
     * for), with latency counted from each request's intended send time.
     */
    static Result openLoop(String workload, URI base, Shape shape, double ratePerSecond, int connections, int seconds) {
        OpenLoop.Plan plan = OpenLoop.Plan.of(base, shape, ratePerSecond, seconds, connections);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                OpenLoop.classPath(),
                OpenLoop.class.getName()));
        command.addAll(plan.arguments());
        Processes.Output output = Processes.run(command, Map.of(), Duration.ofSeconds(seconds + 60L));
        String line = output.text()
                .lines()
                .filter(l -> l.startsWith("{"))
                .reduce((first, second) -> second)
                .orElse("");
        if (output.exitCode() != 0 || line.isEmpty()) {
            throw new IllegalStateException("the open-loop generator failed: " + output.text());
        }
        OpenLoop.Summary summary = OpenLoop.Summary.parse(line);
        return new Result(
                workload,
                "open-loop",
                connections,
                summary.achievedRate(),
                summary.p50Millis(),
                summary.p99Millis(),
                summary.maxMillis(),
                summary.sent(),
                0,
                summary.errors(),
                0,
                "",
                Double.NaN,
                String.format(
                        "intended %,.0f/s, achieved %,.0f/s over at most %d connections (a JVM of its own; latency"
                                + " from the intended send time); p99.9 %.1f ms; sends' lag behind the schedule p99 %.1f"
                                + " ms; unsent %,d; generator used %.0f%% of one core",
                        summary.intendedRate(),
                        summary.achievedRate(),
                        connections,
                        summary.p999Millis(),
                        summary.lagP99Millis(),
                        summary.unsent(),
                        100 * output.cpuSeconds() / seconds));
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
