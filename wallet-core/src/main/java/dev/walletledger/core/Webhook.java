package dev.walletledger.core;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * A webhook subscription as it stands. {@code cursor} is its durable cursor: the feed position of the last event its
 * endpoint acknowledged (or passed over by type); delivery goes on after it. {@code attempts} counts the failed
 * attempts at the next event since {@code retryingSince}; the next is due at {@code nextAttemptAt}. Past the server's
 * retry window a subscription becomes {@link Status#FAILING} ({@code failingSince}) and delivery stops until
 * {@link Ledger#resumeWebhook}. {@code lastError} and {@code lastStatus} tell the latest failed attempt. {@code
 * secret} is shown once, in the answer to {@link Ledger#addWebhook}; empty everywhere else.
 */
public record Webhook(
        UUID id,
        String url,
        Set<String> types,
        Status status,
        String cursor,
        int attempts,
        Optional<Instant> retryingSince,
        Instant nextAttemptAt,
        Optional<Instant> failingSince,
        Optional<String> lastError,
        OptionalInt lastStatus,
        Instant createdAt,
        Optional<String> actor,
        Optional<Instant> removedAt,
        Optional<String> secret) {
    /** At most this many subscriptions exist that are not removed: each costs the dispatchers a poll. */
    public static final int ACTIVE_MAX = 1_000;

    public enum Status {
        /** Events are delivered. */
        ACTIVE,
        /** Delivery failed for longer than the retry window and has stopped; resume restarts it from the cursor. */
        FAILING,
        /** Removed: nothing is delivered, ever again; the subscription is kept for its history. */
        REMOVED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Webhook {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
        Objects.requireNonNull(status, "status");
        EventQuery.position(Objects.requireNonNull(cursor, "cursor"));
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
        retryingSince = retryingSince == null ? Optional.empty() : retryingSince;
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        failingSince = failingSince == null ? Optional.empty() : failingSince;
        lastError = lastError == null ? Optional.empty() : lastError;
        lastStatus = lastStatus == null ? OptionalInt.empty() : lastStatus;
        Objects.requireNonNull(createdAt, "createdAt");
        actor = actor == null ? Optional.empty() : actor;
        removedAt = removedAt == null ? Optional.empty() : removedAt;
        secret = secret == null ? Optional.empty() : secret;
        if ((status == Status.FAILING) != failingSince.isPresent() && status != Status.REMOVED) {
            throw new IllegalArgumentException("a FAILING subscription, and only one, says since when");
        }
    }

    /** Without the secret: logs must not hold it. */
    @Override
    public String toString() {
        return "Webhook[id=" + id + ", url=" + url + ", types=" + types + ", status=" + status + ", cursor=" + cursor
                + ", attempts=" + attempts
                + secret.map(s -> ", secret=whsec_***").orElse("") + "]";
    }

    /** This subscription with its secret, for the answer to its creation. */
    Webhook withSecret(String text) {
        return new Webhook(
                id,
                url,
                types,
                status,
                cursor,
                attempts,
                retryingSince,
                nextAttemptAt,
                failingSince,
                lastError,
                lastStatus,
                createdAt,
                actor,
                removedAt,
                Optional.of(text));
    }
}
