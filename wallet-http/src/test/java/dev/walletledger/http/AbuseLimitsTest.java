package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and greedy clients are cut off within a bound (timeouts shrunk to 1 s here; the defaults are in
 * {@link Limits#defaults()}), too many headers are refused, and connections beyond the cap wait unserved
 * until one closes. Raw sockets, because well-behaved clients cannot misbehave on purpose.
 */
class AbuseLimitsTest {
    private static final int TIMEOUT_MILLIS = 1_000;
    /** Generous: the bound asserted is "cut off", not a speed (a loaded CI machine is slow). */
    private static final long CUT_OFF_MILLIS_MAX = 8_000;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(TestServer.config().withLimits(Limits.defaults().withTimeoutsMillis(TIMEOUT_MILLIS)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void headersTricklingInAreCutOff() throws IOException {
        long start = System.nanoTime();
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            // A header line every 200 ms: never silent for the read timeout, so only the parse timeout stops it.
            boolean cut = false;
            for (int i = 0; i < 50 && !cut; i++) {
                sleep(200);
                try {
                    out.write(("X-Slow-" + i + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    cut = closed(socket, 1);
                } catch (IOException reset) {
                    cut = true;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("slow headers cut off after " + millis + " ms");
            assertTrue(cut, "the server kept a request whose headers trickled in for 10 s");
            assertTrue(millis < CUT_OFF_MILLIS_MAX, millis + " ms");
        }
    }

    @Test
    void aSilentConnectionIsClosed() throws IOException {
        long start = System.nanoTime();
        try (Socket socket = connect(server)) {
            assertTrue(closed(socket, (int) CUT_OFF_MILLIS_MAX), "an idle connection stayed open");
        }
        System.out.println("idle connection closed after " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    void aBodyTricklingInIsCutOff() throws IOException {
        long start = System.nanoTime();
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/wallets/topup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = "";
            for (int i = 0; i < 50 && answer.isEmpty(); i++) {
                sleep(200);
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException reset) {
                    break;
                }
                answer = available(socket);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("slow body cut off after " + millis + " ms: "
                    + answer.lines().findFirst().orElse(""));
            assertTrue(answer.equals("closed") || answer.startsWith("HTTP/1.1 408"), "not cut off: " + answer);
            assertTrue(millis < CUT_OFF_MILLIS_MAX, millis + " ms");
        }
    }

    @Test
    void tooManyHeadersAreRefused() throws IOException {
        StringBuilder request = new StringBuilder("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < Limits.defaults().headersMax() + 50; i++) {
            request.append("X-H").append(i).append(": v\r\n");
        }
        request.append("\r\n");
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(socket);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
        }
        assertEquals(200, server.get("/api/v1/health").status());
    }

    @Test
    void connectionsBeyondTheCapWaitUntilOneCloses() throws IOException {
        int cap = 4;
        try (TestServer capped =
                new TestServer(TestServer.config().withLimits(Limits.defaults().withConnectionsMax(cap)))) {
            List<Socket> holders = new ArrayList<>();
            try {
                for (int i = 0; i < cap; i++) {
                    holders.add(connect(capped));
                }
                sleep(300); // let the server accept them
                try (Socket extra = connect(capped)) {
                    extra.getOutputStream()
                            .write(("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Connection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    extra.setSoTimeout(1_000);
                    assertThrows(
                            SocketTimeoutException.class,
                            () -> extra.getInputStream().read(),
                            "a connection beyond the cap was served");
                    holders.remove(0).close();
                    extra.setSoTimeout((int) CUT_OFF_MILLIS_MAX);
                    String answer = readAll(extra);
                    assertTrue(answer.startsWith("HTTP/1.1 200"), "once a slot is free it is served: " + answer);
                }
            } finally {
                for (Socket socket : holders) {
                    socket.close();
                }
            }
        }
    }

    private static Socket connect(TestServer target) throws IOException {
        Socket socket = new Socket("127.0.0.1", target.server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Whether the server closed its side within {@code millis} (no data expected before). */
    private static boolean closed(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    /** What the server has sent so far (waiting at most 1 ms for it). */
    private static String available(Socket socket) throws IOException {
        socket.setSoTimeout(1);
        byte[] buffer = new byte[4096];
        try {
            int n = socket.getInputStream().read(buffer);
            return n < 0 ? "closed" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException nothingYet) {
            return "";
        } catch (IOException reset) {
            return "closed";
        }
    }

    private static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n > 0 && text.length() < 100_000; n = in.read(buffer)) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException reset) {
            // what arrived before the reset is the answer
        }
        return text.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
