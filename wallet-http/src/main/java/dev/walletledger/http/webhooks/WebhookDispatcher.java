package dev.walletledger.http.webhooks;

import dev.walletledger.core.Event;
import dev.walletledger.core.EventPage;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.Webhook;
import dev.walletledger.core.WebhookAddresses;
import dev.walletledger.core.WebhookDeliveries;
import dev.walletledger.core.WebhookLease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the feed's events to webhook subscriptions: every {@link WebhookSettings#pollMillis()}, one thread leases the
 * subscriptions that have events to deliver (as many as there are free delivery slots), and each slot delivers one
 * subscription: its events after its durable cursor, one request at a time, in feed order, moving the cursor after
 * each 2xx. A failure ends the slot's turn: the subscription is due again after a backoff (exponential, full jitter,
 * capped per wait), on whichever node leases it then; after the retry window it is FAILING.
 *
 * <p>One node at a time: before each request the slot renews the lease (on the database's clock) and sends only if,
 * measured on its own monotonic clock from before the renewal, the lease still has the request's timeout and the
 * margin left ({@link WebhookSettings}); the request is cut at its timeout. The cursor moves only while the slot's
 * node is still the lease's owner. See README.md, "Webhooks", for the guarantee and its limit.
 *
 * <p>A slow or dead endpoint holds one slot for at most a turn of one request (its timeout): the ledger's writes
 * never wait for a delivery, and other subscriptions use the other slots.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Events read from the feed per page, and pages per turn: a turn delivers at most 1 000 events. */
    static final int PAGE_EVENTS = 100;

    static final int PAGES_PER_TURN = 10;
    /** The first wait after a failure, before doubling; never more than the configured cap. */
    static final long BACKOFF_BASE_MILLIS = 1_000;

    /** The ledger's feed, as the dispatcher reads it. */
    public interface Feed {
        /** The events after {@code after} of {@code types} (empty: all), at most {@code limit}, without waiting. */
        EventPage read(String after, Set<String> types, int limit);

        /** The cursor of the feed's end now. */
        String end();
    }

    private final WebhookDeliveries deliveries;
    private final Feed feed;
    private final Function<Event, byte[]> render;
    private final WebhookSettings settings;
    private final HttpClient client;
    private final ScheduledExecutorService poller;
    private final ThreadPoolExecutor slots;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder markedFailing = new LongAdder();

    /** @param render an event's JSON body, as the feed's HTTP answer writes it */
    public WebhookDispatcher(
            WebhookDeliveries deliveries, Feed feed, Function<Event, byte[]> render, WebhookSettings settings) {
        this.deliveries = deliveries;
        this.feed = feed;
        this.render = render;
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(settings.timeoutMillis()))
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect is an answer, not a 2xx: a failure
                .build();
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> thread(runnable, "wallet-webhooks"));
        // The poller hands out at most as many turns as there are free slots, so the queue never fills.
        this.slots = new ThreadPoolExecutor(
                settings.slots(),
                settings.slots(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.slots()),
                runnable -> thread(runnable, "wallet-webhook-slot"));
    }

    private static Thread thread(Runnable runnable, String name) {
        Thread t = new Thread(runnable, name);
        t.setDaemon(true);
        return t;
    }

    public WebhookDispatcher start() {
        poller.scheduleWithFixedDelay(this::poll, 0, settings.pollMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Events delivered (2xx) by this node. */
    public long delivered() {
        return delivered.sum();
    }

    /** Attempts that failed (not 2xx, timed out, refused address) on this node. */
    public long failedAttempts() {
        return failedAttempts.sum();
    }

    /** Subscriptions this node marked FAILING. */
    public long markedFailing() {
        return markedFailing.sum();
    }

    private void poll() {
        try {
            int free = settings.slots() - running.size();
            if (free <= 0) {
                return;
            }
            List<WebhookLease> leased = deliveries.lease(free, settings.leaseMillis(), feed.end());
            for (WebhookLease lease : leased) {
                if (!running.add(lease.id())) {
                    continue; // a slot of this node is on it already, and its lease was just extended
                }
                try {
                    slots.execute(() -> {
                        try {
                            turn(lease);
                        } finally {
                            running.remove(lease.id());
                        }
                    });
                } catch (RejectedExecutionException closing) {
                    running.remove(lease.id());
                    return;
                }
            }
        } catch (WalletException e) {
            LOG.warn("webhook poll failed ({}); again in {} ms", e.getMessage(), settings.pollMillis());
        } catch (RuntimeException e) {
            LOG.error("webhook poll failed; again in {} ms", settings.pollMillis(), e);
        }
    }

    /** What one request came to: {@code error} says why it failed or was not sent. */
    private record Outcome(Kind kind, String error, OptionalInt status) {
        enum Kind {
            DELIVERED,
            FAILED,
            /** The lease was lost, or too little of it remained to send: nothing was sent. */
            NOT_SENT
        }

        static Outcome delivered(int status) {
            return new Outcome(Kind.DELIVERED, "", OptionalInt.of(status));
        }

        static Outcome failed(String error, OptionalInt status) {
            return new Outcome(Kind.FAILED, error, status);
        }

        static Outcome notSent(String why) {
            return new Outcome(Kind.NOT_SENT, why, OptionalInt.empty());
        }
    }

    /** Delivers one subscription's events, at most {@value #PAGES_PER_TURN} pages, then gives the lease back. */
    private void turn(WebhookLease lease) {
        String cursor = lease.cursor();
        try {
            for (int page = 0; page < PAGES_PER_TURN; page++) {
                EventPage events = feed.read(cursor, lease.types(), PAGE_EVENTS);
                for (Event event : events.events()) {
                    Outcome outcome = deliver(lease, event);
                    switch (outcome.kind()) {
                        case DELIVERED -> {
                            delivered.increment();
                            if (!deliveries.advance(lease.id(), cursor, event.cursor())) {
                                LOG.info("webhook {}: lease lost after delivering {}", lease.id(), event.id());
                                return;
                            }
                            cursor = event.cursor();
                        }
                        case FAILED -> {
                            failed(lease, !cursor.equals(lease.cursor()), event, outcome);
                            return;
                        }
                        case NOT_SENT -> {
                            LOG.info("webhook {}: {}; {} not sent", lease.id(), outcome.error(), event.id());
                            deliveries.release(lease.id());
                            return;
                        }
                    }
                }
                if (!events.next().equals(cursor)) { // events of other types passed over
                    if (!deliveries.advance(lease.id(), cursor, events.next())) {
                        return;
                    }
                    cursor = events.next();
                }
                if (events.events().isEmpty()) {
                    break;
                }
            }
            deliveries.release(lease.id());
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the server is stopping: the lease runs out on its own
            }
            if (e instanceof WalletException) {
                LOG.warn("webhook {}: delivery stopped ({}); it is taken up again", lease.id(), e.getMessage());
            } else {
                LOG.error("webhook {}: delivery stopped; it is taken up again", lease.id(), e);
            }
            releaseQuietly(lease.id());
        }
    }

    private void releaseQuietly(UUID id) {
        try {
            deliveries.release(id);
        } catch (RuntimeException e) {
            LOG.debug("webhook {}: lease not released ({}); it runs out on its own", id, e.getMessage());
        }
    }

    /** @param moved whether this turn delivered events before: the run of failures starts again then */
    private void failed(WebhookLease lease, boolean moved, Event event, Outcome failure) {
        failedAttempts.increment();
        int attempts = moved ? 0 : lease.attempts();
        long backoff = backoffMillis(
                attempts,
                settings.backoffMaxMillis(),
                ThreadLocalRandom.current().nextDouble());
        Optional<Webhook.Status> status =
                deliveries.failed(lease.id(), failure.error(), failure.status(), backoff, settings.retryWindowMillis());
        if (status.isPresent() && status.get() == Webhook.Status.FAILING) {
            markedFailing.increment();
            LOG.warn(
                    "webhook {} is FAILING: {} to {} has failed for {} ms or more (last: {}); delivery stopped,"
                            + " resume it to go on from {}",
                    lease.id(),
                    event.id(),
                    lease.url(),
                    settings.retryWindowMillis(),
                    failure.error(),
                    event.id());
        } else {
            LOG.info(
                    "webhook {}: {} to {} failed ({}); next attempt in {} ms",
                    lease.id(),
                    event.id(),
                    lease.url(),
                    failure.error(),
                    backoff);
        }
    }

    /**
     * The wait before the next attempt after {@code attempts} failed ones before this: full jitter, a random share
     * ({@code random} in [0, 1)) of the base doubled per attempt, capped at {@code capMillis}.
     */
    static long backoffMillis(int attempts, long capMillis, double random) {
        long base = Math.min(BACKOFF_BASE_MILLIS, capMillis);
        long ceiling = attempts >= 40 ? capMillis : Math.min(capMillis, base << Math.min(attempts, 40));
        return (long) (random * (ceiling + 1));
    }

    private Outcome deliver(WebhookLease lease, Event event) {
        long renewing = System.nanoTime();
        if (!deliveries.renew(lease.id(), settings.leaseMillis())) {
            return Outcome.notSent("the lease was lost");
        }
        try {
            WebhookAddresses.check(lease.url(), settings.allowPrivate());
        } catch (WalletException refused) {
            return Outcome.failed(refused.getMessage(), OptionalInt.empty());
        }
        byte[] body = render.apply(event);
        long timestamp = System.currentTimeMillis() / 1_000;
        HttpRequest request = HttpRequest.newBuilder(URI.create(lease.url()))
                .timeout(Duration.ofMillis(settings.timeoutMillis()))
                .header("Content-Type", "application/json")
                .header("User-Agent", "wallet-ledger-webhooks")
                .header("webhook-id", event.id())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", Signature.sign(lease.key(), event.id(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        // The lease's time left, on this node's clock: it began no earlier than our renewal's start.
        long left = settings.leaseMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - renewing);
        if (left < settings.timeoutMillis() + settings.marginMillis()) {
            return Outcome.notSent("only " + left + " ms of the lease were left");
        }
        return send(request);
    }

    private Outcome send(HttpRequest request) {
        CompletableFuture<HttpResponse<Void>> response =
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            // The whole exchange, the body's read included, within the timeout.
            int status = response.get(settings.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .statusCode();
            return status >= 200 && status < 300
                    ? Outcome.delivered(status)
                    : Outcome.failed("HTTP " + status, OptionalInt.of(status));
        } catch (TimeoutException e) {
            response.cancel(true);
            return Outcome.failed("no answer within " + settings.timeoutMillis() + " ms", OptionalInt.empty());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Outcome.failed(
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
                    OptionalInt.empty());
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the server is stopping", e);
        }
    }

    /** Stops polling and delivering; leases held now run out on their own (no request is left half-counted). */
    @Override
    public void close() {
        poller.shutdownNow();
        slots.shutdownNow();
        try {
            slots.awaitTermination(settings.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
