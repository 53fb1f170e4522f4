package dev.walletledger.http.webhooks;

/**
 * How the server delivers webhooks (wallet-http's README lists the variables).
 *
 * @param allowPrivate      {@code WALLET_WEBHOOKS_ALLOW_PRIVATE} (false): allow loopback, private, link-local,
 *                          unspecified and multicast addresses (see {@link dev.walletledger.core.WebhookAddresses})
 * @param timeoutMillis     {@code WALLET_WEBHOOKS_TIMEOUT_MILLIS} (10 000; 100 to 60 000): one request, connection
 *                          included, from start to the end of the response
 * @param retryWindowMillis {@code WALLET_WEBHOOKS_RETRY_WINDOW_MILLIS} (24 h; 1 ms to 7 days): how long a run of
 *                          failures lasts before the subscription becomes FAILING
 * @param backoffMaxMillis  {@code WALLET_WEBHOOKS_BACKOFF_MAX_MILLIS} (10 min; 1 ms to 24 h): the cap of one wait
 *                          between attempts
 * @param slots             {@code WALLET_WEBHOOKS_SLOTS} (8; 1 to 64): subscriptions delivered at once by this node
 * @param pollMillis        {@code WALLET_WEBHOOKS_POLL_MILLIS} (1 000; 10 to 60 000): how often the node looks
 *                          for subscriptions with events to deliver
 */
public record WebhookSettings(
        boolean allowPrivate,
        long timeoutMillis,
        long retryWindowMillis,
        long backoffMaxMillis,
        int slots,
        long pollMillis) {
    public static final long LEASE_PER_TIMEOUT = 6;
    public static final long MARGIN_PER_TIMEOUT = 2;

    public WebhookSettings {
        range("WALLET_WEBHOOKS_TIMEOUT_MILLIS", timeoutMillis, 100, 60_000);
        range("WALLET_WEBHOOKS_RETRY_WINDOW_MILLIS", retryWindowMillis, 1, 7L * 24 * 3_600_000);
        range("WALLET_WEBHOOKS_BACKOFF_MAX_MILLIS", backoffMaxMillis, 1, 24L * 3_600_000);
        range("WALLET_WEBHOOKS_SLOTS", slots, 1, 64);
        range("WALLET_WEBHOOKS_POLL_MILLIS", pollMillis, 10, 60_000);
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(false, 10_000, 24L * 3_600_000, 600_000, 8, 1_000);
    }

    /**
     * How long a lease lasts: six request timeouts, so that a node that renewed it has, after the check before the
     * request, the request's timeout and a {@link #marginMillis()} left.
     */
    public long leaseMillis() {
        return LEASE_PER_TIMEOUT * timeoutMillis;
    }

    /**
     * What must remain of the lease, past the request's timeout, for a node to send: two request timeouts. A node
     * paused (garbage collection, a stopped VM) for longer than this between its check and its request's end may
     * overlap the next holder's request.
     */
    public long marginMillis() {
        return MARGIN_PER_TIMEOUT * timeoutMillis;
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", got " + value);
        }
    }
}
