package dev.walletledger.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A TCP proxy on 127.0.0.1 between a client and a server, with faults switched on and off by the test:
 * delay (with jitter), drop (close a connection at a random chunk), freeze (stop forwarding, then deliver),
 * reset (RST every connection), reset mid-statement (RST a connection as the server's answer to a request
 * begins), a blackhole (what the server sends vanishes: requests arrive and run, answers never come back, no
 * RST), a partition (nothing gets through either way, new connections included, until it heals), and two
 * aware of what flows back from the server:
 * <ul>
 *   <li>{@link #cutAfterCommit}: PostgreSQL protocol. When a backend's CommandComplete with tag
 *       {@code COMMIT} arrives, the client connection is reset instead of receiving it: the transaction
 *       is committed, the client sees a broken connection. The ambiguous commit, on demand.</li>
 *   <li>{@link #dropResponses}: HTTP. The server's answer (written after its commit) is discarded and the
 *       connection closed: the client never learns the outcome.</li>
 * </ul>
 * Bounded: at most {@link #CONNECTIONS_MAX} connections (two plain threads each), a freeze or delay never
 * lasts longer than {@link #STALL_MAX_MILLIS}.
 */
final class FaultProxy implements AutoCloseable {
    static final int CONNECTIONS_MAX = 256;
    static final long STALL_MAX_MILLIS = 60_000;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final String name;
    private final IntSupplier targetPort;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final Random random;
    private final Map<String, AtomicLong> faults = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();

    private volatile boolean closed;
    private volatile boolean frozen;
    private volatile int delayMinMillis;
    private volatile int delayMaxMillis;
    private volatile double dropPerChunk;
    private volatile double cutPerCommit;
    private volatile double resetPerAnswer;
    private volatile boolean blackholed;
    private volatile boolean partitioned;
    private volatile double dropPerResponse;
    private volatile boolean refuseConnections;

    FaultProxy(String name, IntSupplier targetPort, long seed) {
        this.name = name;
        this.targetPort = targetPort;
        this.random = new Random(seed);
        try {
            this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    // ---- faults ------------------------------------------------------------------------------

    void delay(int minMillis, int maxMillis) {
        delayMinMillis = minMillis;
        delayMaxMillis = maxMillis;
        count("delay_windows");
    }

    void drop(double perChunk) {
        dropPerChunk = perChunk;
        count("drop_windows");
    }

    void freeze() {
        frozen = true;
        count("freezes");
    }

    /**
     * Each answer the server starts to send (its first chunk after a request) resets the connection instead, with
     * this probability: the client is in the middle of a statement, which may or may not have run.
     */
    void resetMidStatement(double perAnswer) {
        resetPerAnswer = perAnswer;
        count("reset_mid_statement_windows");
    }

    /**
     * What the server sends vanishes, on open connections and new ones: requests reach it and run (commits
     * included), answers never arrive, and nothing is closed. Bytes lost are lost for good: a connection that
     * crossed the blackhole in the middle of an exchange never recovers, and its client must give it up.
     */
    void blackhole() {
        blackholed = true;
        count("blackholes");
    }

    /** Nothing gets through, either way, on open connections and new ones; nothing is closed. */
    void partition() {
        partitioned = true;
        count("partitions");
    }

    void cutAfterCommit(double perCommit) {
        cutPerCommit = perCommit;
        count("cut_after_commit_windows");
    }

    void dropResponses(double perResponse) {
        dropPerResponse = perResponse;
    }

    /** While set, new connections are accepted and closed at once (the server looks down). */
    void refuseConnections(boolean refuse) {
        refuseConnections = refuse;
    }

    /** RST of every open connection. */
    void resetAll() {
        count("resets");
        for (Pair pair : pairs) {
            pair.close(true);
        }
    }

    /**
     * Every fault off: no delay, no drops, no cuts, thawed, the blackhole and the partition gone. Open connections
     * stay, those that lost bytes included.
     */
    void heal() {
        blackholed = false;
        partitioned = false;
        resetPerAnswer = 0;
        frozen = false;
        delayMinMillis = 0;
        delayMaxMillis = 0;
        dropPerChunk = 0;
        cutPerCommit = 0;
        dropPerResponse = 0;
        refuseConnections = false;
    }

    /** Faults injected so far, by type (sorted by name, for the summary line). */
    Map<String, Long> faults() {
        Map<String, Long> out = new TreeMap<>();
        faults.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long fault(String type) {
        AtomicLong value = faults.get(type);
        return value == null ? 0 : value.get();
    }

    private void count(String type) {
        countBy(type, 1);
    }

    private void countBy(String type, long n) {
        faults.computeIfAbsent(type, k -> new AtomicLong()).addAndGet(n);
    }

    private synchronized double nextDouble() {
        return random.nextDouble();
    }

    private synchronized int nextInt(int bound) {
        return bound <= 0 ? 0 : random.nextInt(bound);
    }

    // ---- plumbing ----------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refuseConnections || connections.get() >= CONNECTIONS_MAX) {
                closeQuietly(client, true);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort.getAsInt()), 2_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException | RuntimeException e) {
                closeQuietly(upstream, false);
                closeQuietly(client, true); // the target is down: so is the proxy, to the client
                continue;
            }
            Pair pair = new Pair(client, upstream);
            pairs.add(pair);
            connections.incrementAndGet();
            pair.start();
        }
    }

    private final class Pair {
        final Socket client;
        final Socket upstream;
        final AtomicInteger pumpsLeft = new AtomicInteger(2);
        volatile boolean done;
        /** Whether the server has begun answering the client's last request. */
        volatile boolean answering;

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            Thread up = new Thread(() -> pump(client, upstream, false), "proxy-" + name + "-up");
            Thread down = new Thread(() -> pump(upstream, client, true), "proxy-" + name + "-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        void pump(Socket from, Socket to, boolean fromServer) {
            BackendParser parser = new BackendParser();
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                while (!done && !closed) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        to.shutdownOutput();
                        return;
                    }
                    stall();
                    if (done) {
                        return;
                    }
                    if (partitioned || (fromServer && blackholed)) {
                        countBy("bytes_vanished", n);
                        if (fromServer) {
                            parser.feed(buffer, n);
                        }
                        answering = false;
                        continue;
                    }
                    if (fromServer && !answering) {
                        answering = true;
                        if (resetPerAnswer > 0 && nextDouble() < resetPerAnswer) {
                            count("resets_mid_statement");
                            close(true);
                            return;
                        }
                    } else if (!fromServer) {
                        answering = false; // the next chunk from the server begins an answer
                    }
                    if (dropPerChunk > 0 && nextDouble() < dropPerChunk) {
                        count("drops");
                        close(false);
                        return;
                    }
                    if (fromServer && dropPerResponse > 0 && nextDouble() < dropPerResponse) {
                        count("responses_dropped");
                        close(false);
                        return;
                    }
                    int forward = n;
                    if (fromServer && cutPerCommit > 0) {
                        int commitAt = parser.feed(buffer, n);
                        if (commitAt != BackendParser.NONE && nextDouble() < cutPerCommit) {
                            out.write(buffer, 0, Math.max(0, commitAt));
                            out.flush();
                            count("cuts_after_commit");
                            close(true);
                            return;
                        }
                    } else if (fromServer) {
                        parser.feed(buffer, n); // keep the framing in step for a later cut window
                    }
                    out.write(buffer, 0, forward);
                    out.flush();
                }
            } catch (IOException e) {
                close(false);
            } finally {
                if (pumpsLeft.decrementAndGet() == 0) {
                    close(false);
                }
            }
        }

        /** Waits out a freeze and a delay, each bounded. */
        void stall() {
            long start = System.currentTimeMillis();
            while (frozen && !done && !closed && System.currentTimeMillis() - start < STALL_MAX_MILLIS) {
                sleep(5);
            }
            int min = delayMinMillis;
            int max = delayMaxMillis;
            if (max > 0) {
                sleep(Math.min(STALL_MAX_MILLIS, min + nextInt(Math.max(1, max - min))));
            }
        }

        void close(boolean reset) {
            if (done) {
                return;
            }
            done = true;
            closeQuietly(client, reset);
            closeQuietly(upstream, reset);
            if (pairs.remove(this)) {
                connections.decrementAndGet();
            }
        }
    }

    /**
     * Follows the framing of PostgreSQL backend messages (type byte, int32 length including itself) across
     * reads, and reports where in the current read a CommandComplete with tag {@code COMMIT} starts.
     */
    static final class BackendParser {
        static final int NONE = Integer.MIN_VALUE;
        private final byte[] header = new byte[5];
        private int headerFilled;
        private long bodyLeft;
        private final StringBuilder tag = new StringBuilder();
        private boolean collectingTag;
        private int messageStart;
        private boolean first = true;

        /** Offset in this read where the COMMIT's CommandComplete began (negative: in an earlier read), or NONE. */
        int feed(byte[] buffer, int length) {
            int found = NONE;
            int i = 0;
            if (headerFilled > 0) {
                messageStart = -1; // the message in progress began in an earlier read
            }
            if (first && length > 0) {
                first = false;
                if (buffer[0] == 'N' || buffer[0] == 'S') {
                    i = 1; // a one-byte answer to an SSL request, not a message
                }
            }
            while (i < length) {
                if (headerFilled < 5) {
                    if (headerFilled == 0) {
                        messageStart = i;
                    }
                    header[headerFilled++] = buffer[i++];
                    if (headerFilled == 5) {
                        bodyLeft = (((header[1] & 0xffL) << 24)
                                        | ((header[2] & 0xff) << 16)
                                        | ((header[3] & 0xff) << 8)
                                        | (header[4] & 0xff))
                                - 4;
                        collectingTag = header[0] == 'C';
                        tag.setLength(0);
                        if (bodyLeft <= 0) {
                            headerFilled = 0;
                        }
                    }
                    continue;
                }
                long take = Math.min(bodyLeft, length - i);
                if (collectingTag) {
                    for (int k = 0; k < take && tag.length() < 32; k++) {
                        tag.append((char) buffer[i + k]);
                    }
                }
                i += (int) take;
                bodyLeft -= take;
                if (bodyLeft == 0) {
                    headerFilled = 0;
                    if (collectingTag && tag.toString().equals("COMMIT\0")) {
                        found = messageStart;
                    }
                    collectingTag = false;
                }
            }
            return found;
        }
    }

    private static void closeQuietly(Socket socket, boolean reset) {
        try {
            if (reset && !socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Pair pair : pairs) {
            pair.close(true);
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
