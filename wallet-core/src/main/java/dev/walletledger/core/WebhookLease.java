package dev.walletledger.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A subscription a dispatcher holds the lease of ({@link WebhookDeliveries#lease}): what it needs to deliver the
 * events after {@code cursor} to {@code url}, signed with {@code secret}. {@code attempts} and {@code retryingSince}
 * are those of the current run of failures (0 and empty when the last attempt succeeded).
 */
public record WebhookLease(
        UUID id,
        String url,
        Set<String> types,
        String secret,
        String cursor,
        int attempts,
        Optional<Instant> retryingSince) {
    public WebhookLease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
        WebhookRequest.secretBytes(secret);
        EventQuery.position(Objects.requireNonNull(cursor, "cursor"));
        retryingSince = retryingSince == null ? Optional.empty() : retryingSince;
    }

    /** The key to sign with: the secret's bytes after {@code whsec_}. */
    public byte[] key() {
        return WebhookRequest.secretBytes(secret);
    }

    @Override
    public String toString() {
        return "WebhookLease[id=" + id + ", url=" + url + ", cursor=" + cursor + ", secret=whsec_***]";
    }
}
