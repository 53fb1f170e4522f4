package dev.walletledger.cli;

import dev.walletledger.core.Event;
import dev.walletledger.core.EventPage;
import dev.walletledger.core.EventQuery;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletControls;
import dev.walletledger.http.wire.Bodies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code wallet events}: a page of the event feed, or (with {@code --follow}) the feed as it comes, by long polls.
 * One line per event; {@code --json} prints a page as {@code GET /api/v1/events} answers, and a followed event per
 * line as the feed's events (and webhooks) carry it.
 */
final class EventsCommand implements Command {
    /** How long --follow runs at most by default: a day; a supervisor restarts it with --after. */
    static final long FOLLOW_SECONDS_DEFAULT = 86_400;
    /** The longest --follow may be told to run: a week. */
    static final long FOLLOW_SECONDS_MAX = 7 * 86_400;
    /** The most events --follow prints by default, and at most. */
    static final long FOLLOW_EVENTS_DEFAULT = 1_000_000;

    static final long FOLLOW_EVENTS_MAX = 1_000_000_000;

    private final Synopsis synopsis = new Synopsis(
            "events",
            "the event feed: every committed change, in order",
            "wallet events [--after C] [--types T,T] [--limit N] [--follow [--seconds S] [--max-events N]] [--json]",
            """
            Prints the events after cursor --after (from the feed's start without it), one per line: its
            cursor, time, type, and what changed. --types keeps only those types (transaction.spend,wallet.frozen;
            the types are listed below). One page of --limit events (100, at most 1000), then the cursor to read on
            from. With --follow, it prints the events as they come, by long polls of up to 30 s, until --max-events
            have come (1,000,000), --seconds have passed (86400; at most 604800), or Ctrl-C; each event's cursor is
            where to resume with --after. --json: a page as GET /api/v1/events answers; with --follow, one event
            per line.
            The types: """ + String.join(", ", Event.TYPES) + ".",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--after", "C", "a cursor: read the events after it"),
                    Args.Option.value("--types", "T,T", "only these event types, separated by commas"),
                    Args.Option.value("--limit", "N", "events per page, 1 to " + EventQuery.LIMIT_MAX),
                    Args.Option.flag("--follow", "keep printing events as they come"),
                    Args.Option.value("--seconds", "N", "with --follow: stop after this long"),
                    Args.Option.value("--max-events", "N", "with --follow: stop after this many events")));

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        Optional<String> after = call.args.value("--after");
        Set<String> types = types(call);
        int limit = call.args
                .value("--limit")
                .map(text -> (int) Args.wholeNumber("--limit", text, 1, EventQuery.LIMIT_MAX))
                .orElse(EventQuery.LIMIT_DEFAULT);
        if (!call.args.has("--follow")) {
            if (call.args.value("--seconds").isPresent()
                    || call.args.value("--max-events").isPresent()) {
                throw new UsageException("--seconds and --max-events bound --follow; add --follow");
            }
            EventPage page = call.ledger().events(new EventQuery(after, types, limit, Duration.ZERO));
            if (call.json()) {
                call.printJson(Bodies.events(page)); // as GET /api/v1/events answers
                return ExitCode.OK;
            }
            for (Event event : page.events()) {
                call.out.println(line(call, event));
            }
            call.out.println("next: --after " + page.next());
            return ExitCode.OK;
        }
        return follow(call, after, types, limit);
    }

    /**
     * Long polls until the bounds: every round either prints events or waits out its long poll (up to 30 s, less
     * near the deadline), and the rounds are counted too, so a feed that answered empty pages at once could not
     * spin it forever.
     */
    private static ExitCode follow(Invocation call, Optional<String> after, Set<String> types, int limit) {
        long seconds = call.args
                .value("--seconds")
                .map(text -> Args.wholeNumber("--seconds", text, 1, FOLLOW_SECONDS_MAX))
                .orElse(FOLLOW_SECONDS_DEFAULT);
        long eventsMax = call.args
                .value("--max-events")
                .map(text -> Args.wholeNumber("--max-events", text, 1, FOLLOW_EVENTS_MAX))
                .orElse(FOLLOW_EVENTS_DEFAULT);
        // Real time, not the invocation's clock (that one paces progress bars, and tests stop it): the long polls
        // below wait in real time too.
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        // A round that printed nothing waited at least until its poll's end or the deadline; a thousand a second
        // for the whole run is far more than the feed's own pacing allows.
        long roundsMax = seconds * 1_000 + eventsMax;
        long printed = 0;
        Optional<String> cursor = after;
        for (long round = 0; round < roundsMax && printed < eventsMax; round++) {
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) {
                break;
            }
            Duration wait = Duration.ofNanos(Math.min(leftNanos, EventQuery.WAIT_MAX.toNanos()));
            int pageSize = (int) Math.min(limit, eventsMax - printed);
            EventPage page = call.ledger().events(new EventQuery(cursor, types, pageSize, wait));
            for (Event event : page.events()) {
                call.out.println(
                        call.json()
                                ? new String(Bodies.event(event), java.nio.charset.StandardCharsets.UTF_8)
                                : line(call, event));
            }
            call.out.flush(); // a follower's reader wants each event as it comes, not when a buffer fills
            printed += page.events().size();
            cursor = Optional.of(page.next());
        }
        if (!call.json()) {
            call.err.println("stopped after " + printed + " event" + (printed == 1 ? "" : "s")
                    + "; resume with --after " + cursor.orElse("0"));
        }
        return ExitCode.OK;
    }

    private static Set<String> types(Invocation call) {
        Optional<String> text = call.args.value("--types");
        if (text.isEmpty()) {
            return Set.of();
        }
        String[] names = text.get().split(",", Event.TYPES.size() + 1);
        Set<String> types = new LinkedHashSet<>();
        for (String name : names) {
            if (!Event.TYPES.contains(name)) {
                throw new UsageException("--types has no event type " + Args.quoted(name) + "; the types are "
                        + String.join(", ", Event.TYPES));
            }
            if (!types.add(name)) {
                throw new UsageException("--types lists " + name + " twice");
            }
        }
        return types;
    }

    /** {@code CURSOR TIME TYPE what changed [by ACTOR]}: amounts in the asset's major units. */
    private static String line(Invocation call, Event event) {
        List<String> parts =
                new ArrayList<>(List.of(event.cursor(), TransactionView.timestamp(event.createdAt()), event.type()));
        if (event.transaction().isPresent()) {
            TransactionResult t = event.transaction().get();
            int decimals = call.decimalPlaces(t.assetCode());
            parts.add(t.assetCode());
            parts.add(Units.major(t.amount(), decimals));
            for (Map.Entry<String, Long> balance : t.balances().entrySet()) {
                parts.add(balance.getKey() + "=" + Units.major(balance.getValue(), decimals));
            }
            parts.add(t.referenceId());
        } else {
            WalletControls c = event.controls().orElseThrow();
            int decimals = call.decimalPlaces(c.assetCode());
            parts.add(c.assetCode());
            parts.add(c.userId());
            parts.add(c.status().name());
            parts.add("max_balance="
                    + (c.maxBalance().isPresent() ? Units.major(c.maxBalance().getAsLong(), decimals) : "none"));
            parts.add("daily_spend="
                    + (c.dailySpendLimit().isPresent()
                            ? Units.major(c.dailySpendLimit().getAsLong(), decimals)
                            : "none"));
            parts.add(Args.quoted(c.reason().orElse("")));
        }
        event.actor().ifPresent(actor -> parts.add("by " + actor));
        return String.join("  ", parts);
    }
}
