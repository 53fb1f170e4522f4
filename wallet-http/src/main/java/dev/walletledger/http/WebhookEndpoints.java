package dev.walletledger.http;

import dev.walletledger.core.Ledger;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.Webhook;
import dev.walletledger.core.WebhookAddresses;
import dev.walletledger.core.WebhookRequest;
import dev.walletledger.http.webhooks.WebhookDispatcher;
import dev.walletledger.http.webhooks.WebhookSettings;
import dev.walletledger.http.wire.Json;
import dev.walletledger.http.wire.Requests;
import dev.walletledger.http.wire.WebhookBodies;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The webhook routes (admin scope: a subscription receives every wallet's events) and their metrics. A URL is
 * checked against the server's address rules (see {@link WebhookAddresses}) before the subscription is added.
 */
final class WebhookEndpoints {
    private static final Set<Scope> ADMIN = Scope.anyOf(Scope.ADMIN);

    private final Ledger ledger;
    private final WebhookSettings settings;
    private final WebhookDispatcher dispatcher;

    /** @param dispatcher null when this server delivers none (tests of the route table) */
    WebhookEndpoints(Ledger ledger, WebhookSettings settings, WebhookDispatcher dispatcher) {
        this.ledger = ledger;
        this.settings = settings;
        this.dispatcher = dispatcher;
    }

    List<Route> routes() {
        return List.of(
                Route.post("/api/v1/webhooks", ADMIN, this::add),
                Route.get("/api/v1/webhooks", List.of(), ADMIN, call -> list()),
                Route.get("/api/v1/webhooks/{webhook_id}", List.of(), ADMIN, this::one),
                Route.delete("/api/v1/webhooks/{webhook_id}", ADMIN, this::remove),
                Route.action("/api/v1/webhooks/{webhook_id}/resume", ADMIN, this::resume));
    }

    private HttpResponse add(Call call) {
        WebhookRequest request = WebhookBodies.request(Json.parse(call.body()));
        WebhookAddresses.check(request.url(), settings.allowPrivate());
        Webhook added = ledger.addWebhook(request, call.keyId().orElse(null));
        return HttpResponse.json(201, WebhookBodies.webhook(added));
    }

    private HttpResponse list() {
        return HttpResponse.json(200, WebhookBodies.webhooks(ledger.webhooks()));
    }

    private HttpResponse one(Call call) {
        UUID id = id(call);
        Webhook found = ledger.webhook(id)
                .orElseThrow(() -> WalletException.of(
                        dev.walletledger.core.ErrorCode.WEBHOOK_NOT_FOUND,
                        "there is no webhook subscription " + id,
                        java.util.Map.of("webhook_id", id.toString())));
        return HttpResponse.json(200, WebhookBodies.webhook(found));
    }

    private HttpResponse remove(Call call) {
        return HttpResponse.json(
                200,
                WebhookBodies.webhook(
                        ledger.removeWebhook(id(call), call.keyId().orElse(null))));
    }

    private HttpResponse resume(Call call) {
        return HttpResponse.json(
                200,
                WebhookBodies.webhook(
                        ledger.resumeWebhook(id(call), call.keyId().orElse(null))));
    }

    private static UUID id(Call call) {
        String id = call.path("webhook_id");
        if (!Requests.UUID_TEXT.matcher(id).matches()) {
            throw WalletException.invalid("webhook_id", "must be a UUID such as 0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        }
        return UUID.fromString(id.toLowerCase(Locale.ROOT));
    }

    /** What /metrics adds: this node's delivery counters, and the subscriptions FAILING now. */
    List<HttpMetrics.Sample> samples() {
        List<HttpMetrics.Sample> samples = new ArrayList<>();
        if (dispatcher == null) {
            return samples;
        }
        samples.add(new HttpMetrics.Sample(
                "wallet_webhook_deliveries_total",
                "counter",
                "Webhook requests this node sent that were answered 2xx.",
                dispatcher.delivered()));
        samples.add(new HttpMetrics.Sample(
                "wallet_webhook_failed_attempts_total",
                "counter",
                "Webhook attempts on this node that failed (not 2xx, no answer in time, address refused).",
                dispatcher.failedAttempts()));
        try {
            long failing = ledger.webhooks().stream()
                    .filter(w -> w.status() == Webhook.Status.FAILING)
                    .count();
            samples.add(new HttpMetrics.Sample(
                    "wallet_webhooks_failing",
                    "gauge",
                    "Webhook subscriptions FAILING now (delivery stopped until resumed); absent when the database"
                            + " could not be asked.",
                    failing));
        } catch (WalletException e) {
            // the scrape still answers with the rest
        }
        return samples;
    }
}
