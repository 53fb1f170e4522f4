package dev.walletledger.http;

/**
 * The server's bounds against abusive or merely slow clients (wallet-http/README.md, "Security", lists them). Only
 * {@code connectionsMax} is configurable ({@code WALLET_CONNECTIONS_MAX}); tests shrink the timeouts.
 *
 * @param connectionsMax             open connections at once; beyond it new ones wait in the kernel's
 *                                   accept backlog until one closes (they are not served, not refused)
 * @param headerBytesMax             request line plus headers; more is refused (400/431) or the connection closed
 * @param headersMax                 header fields per request
 * @param requestParseTimeoutMillis  from a request's first byte to its last header (slow headers: slowloris)
 * @param readTimeoutMillis          the longest silence while a request or its body is being read
 * @param writeTimeoutMillis         the longest a client may leave an answer unread (slow readers)
 * @param idleTimeoutMillis          a keep-alive connection with no request
 * @param bodyReadTimeoutMillis      the whole body, however it trickles in (a slow body holds a worker thread)
 */
public record Limits(
        int connectionsMax,
        int headerBytesMax,
        int headersMax,
        int requestParseTimeoutMillis,
        int readTimeoutMillis,
        int writeTimeoutMillis,
        int idleTimeoutMillis,
        int bodyReadTimeoutMillis) {
    public static final int CONNECTIONS_MAX_LIMIT = 100_000;

    public Limits {
        if (connectionsMax < 1 || connectionsMax > CONNECTIONS_MAX_LIMIT) {
            throw new IllegalArgumentException(
                    "WALLET_CONNECTIONS_MAX must be from 1 to " + CONNECTIONS_MAX_LIMIT + ", got " + connectionsMax);
        }
        if (headerBytesMax < 1024
                || headersMax < 8
                || requestParseTimeoutMillis < 1
                || readTimeoutMillis < 1
                || writeTimeoutMillis < 1
                || idleTimeoutMillis < 1
                || bodyReadTimeoutMillis < 1) {
            throw new IllegalArgumentException("limits must be positive (headers: at least 1 KiB and 8 fields)");
        }
    }

    public static Limits defaults() {
        return new Limits(1_000, 16 * 1024, 100, 10_000, 10_000, 10_000, 60_000, 30_000);
    }

    public Limits withConnectionsMax(int connections) {
        return new Limits(
                connections,
                headerBytesMax,
                headersMax,
                requestParseTimeoutMillis,
                readTimeoutMillis,
                writeTimeoutMillis,
                idleTimeoutMillis,
                bodyReadTimeoutMillis);
    }

    /** The same bound for every timeout: for tests that want slow clients cut off quickly. */
    public Limits withTimeoutsMillis(int millis) {
        return new Limits(connectionsMax, headerBytesMax, headersMax, millis, millis, millis, millis, millis);
    }
}
