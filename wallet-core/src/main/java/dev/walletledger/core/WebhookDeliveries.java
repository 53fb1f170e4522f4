package dev.walletledger.core;

import dev.walletledger.core.internal.WebhookStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * What a webhook dispatcher (the server's) does to subscriptions, as one lease {@code owner}: lease the due ones,
 * renew a lease, move a cursor on after a delivery, record a failed attempt, release. Every call but {@link #lease}
 * names a subscription this owner leased, and changes nothing when the lease was lost (taken by another owner
 * after it expired) or the subscription is no longer ACTIVE: it answers false (or empty) then, and the dispatcher
 * must stop delivering that subscription. Leases are measured on the database's clock.
 */
public final class WebhookDeliveries {
    /** The most subscriptions one {@link #lease} call takes. */
    public static final int LEASE_BATCH_MAX = 1_000;

    private final WebhookStore store;
    private final UUID owner;

    WebhookDeliveries(WebhookStore store, UUID owner) {
        this.store = store;
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    public UUID owner() {
        return owner;
    }

    /**
     * Leases up to {@code max} ACTIVE subscriptions that are due (their next attempt's time has come), have events
     * before {@code feedEnd} (a cursor) still to deliver, and whose lease is free or expired, for {@code
     * leaseMillis} from the database's now.
     */
    public List<WebhookLease> lease(int max, long leaseMillis, String feedEnd) {
        if (max < 1 || max > LEASE_BATCH_MAX) {
            throw new IllegalArgumentException("max must be from 1 to " + LEASE_BATCH_MAX + ", got " + max);
        }
        return store.lease(owner, positive(leaseMillis), EventQuery.position(feedEnd), max);
    }

    /** Extends the lease to {@code leaseMillis} from the database's now; false when it is no longer this owner's. */
    public boolean renew(UUID id, long leaseMillis) {
        return store.renew(Objects.requireNonNull(id, "id"), owner, positive(leaseMillis));
    }

    /**
     * Moves the durable cursor from {@code from} to {@code to} (an event delivered, or passed over by type) and
     * clears the run of failures; false when the lease was lost or the cursor is no longer {@code from}.
     */
    public boolean advance(UUID id, String from, String to) {
        long start = EventQuery.position(from);
        long end = EventQuery.position(to);
        if (end < start) {
            throw new IllegalArgumentException("a cursor only moves forward: " + from + " to " + to);
        }
        return store.advance(Objects.requireNonNull(id, "id"), owner, start, end);
    }

    /**
     * Records a failed attempt ({@code error}, the HTTP status if one came) and releases the lease: the next attempt
     * is due after {@code backoffMillis}; if the run of failures began {@code windowMillis} or more ago, the
     * subscription becomes FAILING instead. The status after it, or empty when the lease was lost.
     */
    public Optional<Webhook.Status> failed(
            UUID id, String error, OptionalInt httpStatus, long backoffMillis, long windowMillis) {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(httpStatus, "httpStatus");
        if (backoffMillis < 0 || windowMillis < 0) {
            throw new IllegalArgumentException("backoff and window must not be negative");
        }
        return store.failed(Objects.requireNonNull(id, "id"), owner, error, httpStatus, backoffMillis, windowMillis);
    }

    /** Gives the lease up (the subscription is due again at once); false when it was not this owner's. */
    public boolean release(UUID id) {
        return store.release(Objects.requireNonNull(id, "id"), owner);
    }

    private static long positive(long leaseMillis) {
        if (leaseMillis < 1) {
            throw new IllegalArgumentException("a lease lasts at least 1 ms, got " + leaseMillis);
        }
        return leaseMillis;
    }
}
