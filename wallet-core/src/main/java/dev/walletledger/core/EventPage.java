package dev.walletledger.core;

import java.util.List;
import java.util.Objects;

/**
 * A page of the feed, in feed order. {@code next} is the cursor to read on from: the last event's, or, when the page
 * is empty, the cursor it was read after (so a follower keeps passing {@code next}). Events filtered out by type are
 * passed over: {@code next} moves past them too.
 */
public record EventPage(List<Event> events, String next) {
    public EventPage {
        events = List.copyOf(events);
        Objects.requireNonNull(next, "next");
    }
}
