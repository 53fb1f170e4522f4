package dev.walletledger.cli;

import dev.walletledger.core.WalletException;
import dev.walletledger.core.Webhook;
import dev.walletledger.core.WebhookAddresses;
import dev.walletledger.core.WebhookRequest;
import dev.walletledger.http.wire.Requests;
import dev.walletledger.http.wire.WebhookBodies;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code wallet webhooks add|list|remove|resume}: webhook subscriptions, as the admin routes manage them. The server
 * delivers them; these commands only change what it delivers. {@code --json} prints what the HTTP API answers.
 */
final class WebhooksCommand implements Command {
    private enum Kind {
        ADD,
        LIST,
        REMOVE,
        RESUME
    }

    private final Kind kind;
    private final Synopsis synopsis;

    private WebhooksCommand(Kind kind, Synopsis synopsis) {
        this.kind = kind;
        this.synopsis = synopsis;
    }

    private static Args.Option actor() {
        return Args.Option.value(
                "--actor", "NAME", "who is doing this, recorded with the subscription (cli:<your login>)");
    }

    static List<Command> all() {
        return List.of(
                new WebhooksCommand(
                        Kind.ADD,
                        new Synopsis(
                                "webhooks add",
                                "send the feed's events to a URL, signed",
                                "wallet webhooks add URL [--types T1,T2] [--secret whsec_...] [--after CURSOR]"
                                        + " [--allow-private] [--json]",
                                "Adds a webhook subscription: the server sends each event of the types given (all by"
                                        + "\ndefault) after the cursor (the feed's end by default) to URL, one at a"
                                        + " time, in feed\norder, signed with the secret (generated unless given;"
                                        + " printed this once). A URL whose\nhost is or resolves to a loopback,"
                                        + " private, link-local, unspecified or multicast\naddress is refused"
                                        + " (WEBHOOK_URL_REFUSED, exit 64) unless --allow-private; the server\nrefuses"
                                        + " to send there too unless WALLET_WEBHOOKS_ALLOW_PRIVATE=true.",
                                List.of("URL"),
                                1,
                                List.of(
                                        Args.Option.value("--types", "T1,T2", "event types, separated by commas"),
                                        Args.Option.value(
                                                "--secret", "SECRET", "whsec_ and the base64 of 24 to 64 bytes"),
                                        Args.Option.value("--after", "CURSOR", "start after this feed cursor"),
                                        Args.Option.flag("--allow-private", "allow private and loopback addresses"),
                                        actor()))),
                new WebhooksCommand(
                        Kind.LIST,
                        new Synopsis(
                                "webhooks list",
                                "the webhook subscriptions and how their delivery stands",
                                "wallet webhooks list [--json]",
                                "Lists the subscriptions not removed, oldest first: status (ACTIVE, FAILING),"
                                        + "\ncursor (the last event delivered), failed attempts and the last error.",
                                List.of(),
                                0,
                                List.of())),
                new WebhooksCommand(
                        Kind.REMOVE,
                        new Synopsis(
                                "webhooks remove",
                                "stop sending to a subscription, for good",
                                "wallet webhooks remove ID [--json]",
                                "Removes subscription ID: nothing more is sent to it. It is kept, REMOVED, for its"
                                        + "\nhistory. An unknown one is WEBHOOK_NOT_FOUND (exit 66).",
                                List.of("ID"),
                                1,
                                List.of(actor()))),
                new WebhooksCommand(
                        Kind.RESUME,
                        new Synopsis(
                                "webhooks resume",
                                "deliver a FAILING subscription again, from its cursor",
                                "wallet webhooks resume ID [--json]",
                                "Resumes subscription ID: a FAILING one (or one waiting out a backoff) is sent"
                                        + "\nits events again at once, from its cursor, so no event is lost. A removed"
                                        + " one is\nWEBHOOK_REMOVED (exit 65).",
                                List.of("ID"),
                                1,
                                List.of(actor()))));
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        return switch (kind) {
            case ADD -> add(call);
            case LIST -> list(call);
            case REMOVE -> show(call, call.ledger().removeWebhook(id(call), actor(call)));
            case RESUME -> show(call, call.ledger().resumeWebhook(id(call), actor(call)));
        };
    }

    private static String actor(Invocation call) {
        return call.args.value("--actor").orElse("cli:" + System.getProperty("user.name", "unknown"));
    }

    private static UUID id(Invocation call) {
        String id = call.positional(0);
        if (!Requests.UUID_TEXT.matcher(id).matches()) {
            throw WalletException.invalid("webhook_id", "must be a UUID, as wallet webhooks list prints it");
        }
        return UUID.fromString(id.toLowerCase(Locale.ROOT));
    }

    private static ExitCode add(Invocation call) {
        Set<String> types = call.args
                .value("--types")
                .map(text -> (Set<String>) new LinkedHashSet<>(Arrays.asList(text.split(",", -1))))
                .orElse(Set.of());
        WebhookRequest request =
                new WebhookRequest(call.positional(0), types, call.args.value("--secret"), call.args.value("--after"));
        WebhookAddresses.check(request.url(), call.args.has("--allow-private"));
        Webhook added = call.ledger().addWebhook(request, actor(call));
        if (call.json()) {
            call.printJson(WebhookBodies.webhook(added)); // as POST /api/v1/webhooks answers
            return ExitCode.OK;
        }
        call.out.println("added webhook " + added.id() + " after cursor " + added.cursor());
        call.out.println("secret " + added.secret().orElseThrow() + " (shown this once: keep it to verify signatures)");
        return ExitCode.OK;
    }

    private static ExitCode list(Invocation call) {
        List<Webhook> webhooks = call.ledger().webhooks();
        if (call.json()) {
            call.printJson(WebhookBodies.webhooks(webhooks)); // as GET /api/v1/webhooks answers
            return ExitCode.OK;
        }
        Table table = Table.of(
                "ID", Table.Align.LEFT,
                "STATUS", Table.Align.LEFT,
                "CURSOR", Table.Align.RIGHT,
                "ATTEMPTS", Table.Align.RIGHT,
                "TYPES", Table.Align.LEFT,
                "URL", Table.Align.LEFT,
                "LAST_ERROR", Table.Align.LEFT);
        for (Webhook webhook : webhooks) {
            table.row(
                    webhook.id().toString(),
                    webhook.status().name(),
                    webhook.cursor(),
                    Integer.toString(webhook.attempts()),
                    webhook.types().isEmpty()
                            ? "all"
                            : String.join(",", webhook.types().stream().sorted().toList()),
                    webhook.url(),
                    webhook.lastError().orElse(""));
        }
        table.print(call.out);
        return ExitCode.OK;
    }

    private static ExitCode show(Invocation call, Webhook webhook) {
        if (call.json()) {
            call.printJson(WebhookBodies.webhook(webhook));
            return ExitCode.OK;
        }
        call.out.println("webhook " + webhook.id() + " is " + webhook.status() + " at cursor " + webhook.cursor()
                + Optional.of(webhook.attempts())
                        .filter(a -> a > 0)
                        .map(a -> " (" + a + " failed attempts)")
                        .orElse(""));
        return ExitCode.OK;
    }
}
