package dev.walletledger.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook endpoint on a raw socket, misbehaving on cue: each request is answered as its {@link Script} says (2xx,
 * 500, late, never, or by closing the connection). It records every request it read, with its headers, and counts
 * the requests in flight per path (from the request read to the answer written or the connection closed): {@link
 * #maxInFlight} is the most it ever had at once for one path.
 */
final class WebhookReceiver implements AutoCloseable {
    enum Behaviour {
        /** 200 at once. */
        OK,
        /** 200 after a short pause (well within the sender's timeout). */
        OK_AFTER_PAUSE,
        /** 500 at once. */
        ERROR,
        /** 200, but only after {@link #lateMillis}: past the sender's timeout. */
        LATE,
        /** No answer; the connection is closed after {@link #lateMillis}. */
        HANG,
        /** The connection is closed at once, without an answer. */
        CLOSE
    }

    @FunctionalInterface
    interface Script {
        Behaviour next(String path, int index);
    }

    record Request(String path, String id, String timestamp, String signature, byte[] body, Behaviour behaviour) {
        boolean acknowledged() {
            return behaviour == Behaviour.OK || behaviour == Behaviour.OK_AFTER_PAUSE;
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread t = new Thread(runnable, "webhook-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Integer> maxInFlight = new HashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final long lateMillis;
    private volatile Script script;

    WebhookReceiver(Script script, long lateMillis) throws IOException {
        this.script = script;
        this.lateMillis = lateMillis;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    void script(Script next) {
        this.script = next;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized int maxInFlight(String path) {
        return maxInFlight.getOrDefault(path, 0);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Serves the connection's requests (keep-alive), at most 10 000, until it closes. */
    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int served = 0; served < 10_000; served++) {
                Map<String, String> headers = new HashMap<>();
                String requestLine = headers(in, headers);
                if (requestLine == null) {
                    return;
                }
                String path = requestLine.split(" ")[1];
                byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
                Behaviour behaviour = script.next(path, count.getAndIncrement());
                enter(
                        path,
                        new Request(
                                path,
                                headers.get("webhook-id"),
                                headers.get("webhook-timestamp"),
                                headers.get("webhook-signature"),
                                body,
                                behaviour));
                try {
                    if (!answer(behaviour, out)) {
                        return;
                    }
                } finally {
                    inFlight.get(path).decrementAndGet();
                }
            }
        } catch (IOException | InterruptedException gone) {
            // the sender gave up on the connection, or the receiver is closing
        }
    }

    private synchronized void enter(String path, Request request) {
        requests.add(request);
        int now = inFlight.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        maxInFlight.merge(path, now, Math::max);
    }

    /** @return whether the connection stays open */
    private boolean answer(Behaviour behaviour, OutputStream out) throws IOException, InterruptedException {
        switch (behaviour) {
            case OK -> respond(out, 200);
            case OK_AFTER_PAUSE -> {
                Thread.sleep(20);
                respond(out, 200);
            }
            case ERROR -> respond(out, 500);
            case LATE -> {
                Thread.sleep(lateMillis);
                respond(out, 200);
            }
            case HANG -> {
                Thread.sleep(lateMillis);
                return false;
            }
            case CLOSE -> {
                return false;
            }
        }
        return true;
    }

    private static void respond(OutputStream out, int status) throws IOException {
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads the request line and headers (names in lower case); null at the end of the stream. */
    private static String headers(InputStream in, Map<String, String> headers) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        for (int i = 0; i < 100; i++) {
            String line = line(in);
            if (line == null || line.isEmpty()) {
                return requestLine;
            }
            int colon = line.indexOf(':');
            headers.put(
                    line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).strip());
        }
        throw new IOException("more than 100 headers");
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < 16_384; i++) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        throw new IOException("a line longer than 16 KiB");
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
