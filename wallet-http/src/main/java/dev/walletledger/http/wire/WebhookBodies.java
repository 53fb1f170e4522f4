package dev.walletledger.http.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.Webhook;
import dev.walletledger.core.WebhookRequest;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Webhook subscriptions on the wire: the body that adds one, and the answers that tell them. */
public final class WebhookBodies {
    private static final Set<String> FIELDS = Set.of("url", "types", "secret", "after");
    /** More types than there are event types is a mistake, and a bound on the list's size. */
    private static final int TYPES_MAX = 64;

    private WebhookBodies() {}

    /** {@code {url, types?, secret?, after?}}: {@code types} a list of event types (absent or empty: every type). */
    public static WebhookRequest request(JsonNode body) {
        if (!body.isObject()) {
            throw WalletException.invalid("body", "must be a JSON object");
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw WalletException.invalid(name, "is not a known field (allowed: after, secret, types, url)");
            }
        }
        String url = text(body, "url");
        if (url == null) {
            throw WalletException.invalid("url", "is required");
        }
        return new WebhookRequest(
                url,
                types(body.get("types")),
                Optional.ofNullable(text(body, "secret")),
                Optional.ofNullable(text(body, "after")));
    }

    private static Set<String> types(JsonNode node) {
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (!node.isArray()) {
            throw WalletException.invalid("types", "must be a JSON array of event types");
        }
        if (node.size() > TYPES_MAX) {
            throw WalletException.invalid("types", "lists more than " + TYPES_MAX + " types");
        }
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode type : node) {
            if (!type.isTextual()) {
                throw WalletException.invalid("types", "must hold JSON strings");
            }
            if (!types.add(type.textValue())) {
                throw WalletException.invalid("types", "lists " + type.textValue() + " twice");
            }
        }
        return types;
    }

    private static String text(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw WalletException.invalid(name, "must be a JSON string");
        }
        return node.textValue();
    }

    /** One subscription; its secret only in the answer to its creation. */
    public static byte[] webhook(Webhook webhook) {
        return Json.write(g -> write(g, webhook));
    }

    /** {@code {webhooks: [...]}}, oldest first. */
    public static byte[] webhooks(List<Webhook> webhooks) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("webhooks");
            for (Webhook webhook : webhooks) {
                write(g, webhook);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void write(JsonGenerator g, Webhook webhook) throws IOException {
        g.writeStartObject();
        g.writeStringField("webhook_id", webhook.id().toString());
        g.writeStringField("url", webhook.url());
        g.writeArrayFieldStart("types");
        for (String type : webhook.types().stream().sorted().toList()) {
            g.writeString(type);
        }
        g.writeEndArray();
        g.writeStringField("status", webhook.status().name());
        g.writeStringField("cursor", webhook.cursor());
        g.writeNumberField("attempts", webhook.attempts());
        moment(g, "retrying_since", webhook.retryingSince());
        g.writeStringField("next_attempt_at", Json.timestamp(webhook.nextAttemptAt()));
        moment(g, "failing_since", webhook.failingSince());
        if (webhook.lastError().isPresent()) {
            g.writeStringField("last_error", webhook.lastError().get());
        } else {
            g.writeNullField("last_error");
        }
        if (webhook.lastStatus().isPresent()) {
            g.writeNumberField("last_status", webhook.lastStatus().getAsInt());
        } else {
            g.writeNullField("last_status");
        }
        g.writeStringField("created_at", Json.timestamp(webhook.createdAt()));
        if (webhook.actor().isPresent()) {
            g.writeStringField("actor", webhook.actor().get());
        } else {
            g.writeNullField("actor");
        }
        moment(g, "removed_at", webhook.removedAt());
        if (webhook.secret().isPresent()) {
            g.writeStringField("secret", webhook.secret().get());
        }
        g.writeEndObject();
    }

    private static void moment(JsonGenerator g, String name, Optional<Instant> moment) throws IOException {
        if (moment.isPresent()) {
            g.writeStringField(name, Json.timestamp(moment.get()));
        } else {
            g.writeNullField(name);
        }
    }
}
