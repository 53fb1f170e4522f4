package dev.walletledger.cli.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP load generator, run by the benchmark in a JVM of its own (so that the benchmark's
 * collector, its JIT and its other threads cannot delay a send). Request {@code i} is due at
 * {@code start + i / rate} by the wall clock, whatever the server does; its latency counts from that
 * intended time, so when every connection is busy or a connection is late, the wait is part of the
 * latency (coordinated omission is counted, as wrk2 counts it).
 *
 * <p>A fixed pool of keep-alive HTTP/1.1 connections (plain sockets, one thread each) takes the due
 * requests in order: a free connection takes the next one, sleeping until it is due. Everything is bounded:
 * connections, rate, duration, a grace period after the schedule (then what was not sent is counted, as
 * unsent, with the latency it had reached), the socket timeout, and the samples kept.
 *
 * <p>Prints one JSON line: intended and achieved rate, sent, errors, unsent, p50, p99, p99.9 and max in
 * milliseconds.
 */
public final class OpenLoop {
    static final int CONNECTIONS_MAX = 256;
    static final double RATE_MAX = 50_000;
    static final int SECONDS_MAX = 600;
    static final int SAMPLES_MAX = 2_000_000;
    private static final int GRACE_SECONDS = 10;
    private static final int SOCKET_TIMEOUT_MILLIS = 10_000;
    private static final int HEADER_BYTES_MAX = 16_384;
    private static final long BODY_BYTES_MAX = 16L << 20;

    /** What to send and how fast; see {@link #parse}. */
    record Plan(
            URI base,
            double rate,
            int seconds,
            int connections,
            String method,
            String pathTemplate,
            String bodyTemplate,
            int users) {
        Plan {
            if (!"http".equals(base.getScheme()) || base.getHost() == null) {
                throw new IllegalArgumentException("--url must be http://host:port, got " + base);
            }
            if (!(rate > 0 && rate <= RATE_MAX)) {
                throw new IllegalArgumentException("--rate must be above 0 and at most " + RATE_MAX);
            }
            if (seconds < 1 || seconds > SECONDS_MAX) {
                throw new IllegalArgumentException("--seconds must be from 1 to " + SECONDS_MAX);
            }
            if (connections < 1 || connections > CONNECTIONS_MAX) {
                throw new IllegalArgumentException("--connections must be from 1 to " + CONNECTIONS_MAX);
            }
            if (users < 1) {
                throw new IllegalArgumentException("--users must be at least 1");
            }
        }

        long total() {
            return Math.max(1, (long) Math.floor(rate * seconds));
        }

        HttpLoad.Shape shape() {
            return new HttpLoad.Shape(method, pathTemplate, bodyTemplate, users);
        }

        /** The arguments {@link #main} reads back into this plan. */
        List<String> arguments() {
            List<String> args = new ArrayList<>(List.of(
                    "--url",
                    base.toString(),
                    "--rate",
                    String.format(Locale.ROOT, "%.3f", rate),
                    "--seconds",
                    Integer.toString(seconds),
                    "--connections",
                    Integer.toString(connections),
                    "--method",
                    method,
                    "--path",
                    pathTemplate,
                    "--users",
                    Integer.toString(users)));
            if (bodyTemplate != null) {
                args.addAll(List.of("--body", bodyTemplate));
            }
            return args;
        }

        static Plan of(URI base, HttpLoad.Shape shape, double rate, int seconds, int connections) {
            return new Plan(
                    base,
                    rate,
                    seconds,
                    connections,
                    shape.method(),
                    shape.pathTemplate(),
                    shape.bodyTemplate(),
                    shape.users());
        }
    }

    /** What one run measured; {@link #json} is the line {@link #main} prints. */
    record Summary(
            double intendedRate,
            double achievedRate,
            long sent,
            long errors,
            long unsent,
            double p50Millis,
            double p99Millis,
            double p999Millis,
            double maxMillis,
            double lagP99Millis) {
        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"intended_rate\":%.1f,\"achieved_rate\":%.1f,\"sent\":%d,\"errors\":%d,\"unsent\":%d,"
                            + "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"send_lag_p99_ms\":%.3f}",
                    intendedRate,
                    achievedRate,
                    sent,
                    errors,
                    unsent,
                    p50Millis,
                    p99Millis,
                    p999Millis,
                    maxMillis,
                    lagP99Millis);
        }

        static Summary parse(String line) {
            return new Summary(
                    field(line, "intended_rate"),
                    field(line, "achieved_rate"),
                    (long) field(line, "sent"),
                    (long) field(line, "errors"),
                    (long) field(line, "unsent"),
                    field(line, "p50_ms"),
                    field(line, "p99_ms"),
                    field(line, "p999_ms"),
                    field(line, "max_ms"),
                    field(line, "send_lag_p99_ms"));
        }

        private static double field(String line, String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(-?[0-9.]+|NaN)")
                    .matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("no " + name + " in the generator's output: " + line);
            }
            return Double.parseDouble(m.group(1));
        }
    }

    private final Plan plan;
    /** The next request of the schedule a free connection takes. */
    private final AtomicLong next = new AtomicLong();
    /** Latencies in nanoseconds, in order of completion, the first {@link #SAMPLES_MAX} only. */
    private final long[] samples;

    private final AtomicInteger kept = new AtomicInteger();
    /**
     * How late each send was against its intended time (a busy pool, or this JVM not scheduled): when it is
     * near the latency, the wait was before the send, not in the server.
     */
    private final long[] lags;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private long start;
    private long hardDeadline;

    private OpenLoop(Plan plan) {
        this.plan = plan;
        this.samples = new long[(int) Math.min(SAMPLES_MAX, plan.total())];
        this.lags = new long[samples.length];
    }

    public static void main(String[] args) throws InterruptedException {
        Plan plan;
        try {
            plan = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("open-loop: " + e.getMessage());
            System.exit(64);
            return;
        }
        System.out.println(run(plan).json());
    }

    /** Runs the plan in this JVM (the benchmark runs {@link #main} in a JVM of its own). */
    static Summary run(Plan plan) throws InterruptedException {
        return new OpenLoop(plan).run();
    }

    /** Where this class was loaded from (the CLI jar, or target/classes in a build): the generator's class path. */
    static String classPath() {
        try {
            return Path.of(OpenLoop.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return System.getProperty("java.class.path");
        }
    }

    static Plan parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || values.put(args[i], args[i + 1]) != null) {
                throw new IllegalArgumentException("bad or repeated argument " + args[i]);
            }
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("an option without a value: " + args[args.length - 1]);
        }
        try {
            return new Plan(
                    URI.create(required(values, "--url")),
                    Double.parseDouble(required(values, "--rate")),
                    Integer.parseInt(required(values, "--seconds")),
                    Integer.parseInt(required(values, "--connections")),
                    values.getOrDefault("--method", "GET"),
                    required(values, "--path"),
                    values.get("--body"),
                    Integer.parseInt(values.getOrDefault("--users", "1")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private Summary run() throws InterruptedException {
        double intervalNanos = 1e9 / plan.rate();
        List<Thread> workers = new ArrayList<>();
        start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100); // time for every thread to start
        hardDeadline = start + TimeUnit.SECONDS.toNanos(plan.seconds() + GRACE_SECONDS);
        for (int c = 0; c < plan.connections(); c++) {
            Thread worker = new Thread(() -> work(intervalNanos), "open-loop-" + c);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        long joinBy = hardDeadline + TimeUnit.MILLISECONDS.toNanos(2L * SOCKET_TIMEOUT_MILLIS);
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
        }
        long ended = System.nanoTime();
        long total = plan.total();
        long sentCount = sent.get();
        long errorCount = errors.get();
        long unsent = total - sentCount;
        int at = Math.min(kept.get(), samples.length);
        long[] all = Arrays.copyOf(samples, (int) Math.min(SAMPLES_MAX, at + unsent));
        // What was never sent (the last of the schedule) waited at least until the deadline: counted with that
        // lower bound as its latency.
        for (long i = total - unsent; i < total && at < all.length; i++) {
            all[at++] = Math.max(0, hardDeadline - intended(i, intervalNanos));
        }
        int sentKept = Math.min(kept.get(), samples.length);
        long[] lagsSorted = Arrays.copyOf(lags, sentKept);
        Arrays.sort(lagsSorted);
        Arrays.sort(all, 0, at);
        double elapsed = Math.max(1e-9, (Math.min(ended, hardDeadline) - start) / 1e9);
        return new Summary(
                plan.rate(),
                (sentCount - errorCount) / Math.max(elapsed, plan.seconds()),
                sentCount,
                errorCount + unsent,
                unsent,
                percentile(all, at, 0.50),
                percentile(all, at, 0.99),
                percentile(all, at, 0.999),
                at == 0 ? Double.NaN : all[at - 1] / 1e6,
                percentile(lagsSorted, sentKept, 0.99));
    }

    private long intended(long sequence, double intervalNanos) {
        return start + (long) (sequence * intervalNanos);
    }

    /** One connection's loop: the next due request, sent when due (or at once when late), until the schedule ends. */
    private void work(double intervalNanos) {
        Connection connection = null;
        long total = plan.total();
        HttpLoad.Shape shape = plan.shape();
        String host = plan.base().getHost() + ":" + port(plan.base());
        try {
            while (true) { // bounded: each pass takes one of the schedule's `total` sequences
                long sequence = next.getAndIncrement();
                if (sequence >= total) {
                    return;
                }
                long due = intended(sequence, intervalNanos);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                if (System.nanoTime() > hardDeadline) {
                    return; // the rest of the schedule counts as unsent
                }
                sent.incrementAndGet();
                long lag = System.nanoTime() - due;
                boolean ok;
                try {
                    if (connection == null) {
                        connection = Connection.open(plan.base());
                    }
                    ok = connection.exchange(request(shape, sequence, host));
                    if (connection.closed()) {
                        connection = null;
                    }
                } catch (IOException e) {
                    ok = false;
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                }
                long latency = System.nanoTime() - due;
                if (!ok) {
                    errors.incrementAndGet();
                }
                int slot = kept.getAndIncrement();
                if (slot < samples.length) {
                    samples[slot] = latency;
                    lags[slot] = lag;
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private static byte[] request(HttpLoad.Shape shape, long sequence, String host) {
        String body = shape.body(sequence);
        StringBuilder head = new StringBuilder(256)
                .append(shape.method())
                .append(' ')
                .append(shape.path(sequence))
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append("\r\n");
        byte[] bodyBytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(bodyBytes.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(headBytes, headBytes.length + bodyBytes.length);
        System.arraycopy(bodyBytes, 0, out, headBytes.length, bodyBytes.length);
        return out;
    }

    private static int port(URI base) {
        return base.getPort() < 0 ? 80 : base.getPort();
    }

    private static double percentile(long[] sorted, int size, double quantile) {
        if (size == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(size - 1, Math.ceil(quantile * size) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** One keep-alive HTTP/1.1 connection: a request out, its whole response read (Content-Length or chunked). */
    private static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private boolean closed;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new BufferedInputStream(socket.getInputStream(), 8_192);
        }

        static Connection open(URI base) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                socket.connect(new InetSocketAddress(base.getHost(), port(base)), SOCKET_TIMEOUT_MILLIS);
                return new Connection(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** True for a 2xx answer. */
        boolean exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP status line: " + status);
            }
            int code = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            int headers = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (++headers > 100) {
                    throw new IOException("too many headers");
                }
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" ->
                        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closed |= value.equalsIgnoreCase("close");
                    default -> {
                        // not needed
                    }
                }
            }
            if (chunked) {
                long read = 0;
                while (true) { // bounded: BODY_BYTES_MAX over all chunks
                    long size = Long.parseLong(line().split(";", 2)[0].trim(), 16);
                    if (size == 0) {
                        for (int trailers = 0; !line().isEmpty(); trailers++) {
                            if (trailers > 100) {
                                throw new IOException("too many trailers");
                            }
                        }
                        break;
                    }
                    read += size;
                    skip(read > BODY_BYTES_MAX ? fail() : size);
                    line();
                }
            } else if (length >= 0) {
                skip(length > BODY_BYTES_MAX ? fail() : length);
            } else {
                closed = true; // the body ends with the connection: read nothing more on it
            }
            if (closed) {
                close();
            }
            return code >= 200 && code < 300;
        }

        private static long fail() throws IOException {
            throw new IOException("response body over " + BODY_BYTES_MAX + " bytes");
        }

        private void skip(long bytes) throws IOException {
            long left = bytes;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed mid-body");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (line.length() < HEADER_BYTES_MAX) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) b);
            }
            throw new IOException("header line over " + HEADER_BYTES_MAX + " bytes");
        }

        boolean closed() {
            return closed;
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
