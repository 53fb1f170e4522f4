package dev.walletledger.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to read of the feed ({@link Ledger#events}): the events after {@code after} (a cursor from an earlier page or
 * event; empty: from the feed's start), of the {@code types} given (empty: every type), at most {@code limit}. With a
 * {@code waitFor}, a read that finds nothing waits up to that long for the next event (a long poll).
 */
public record EventQuery(Optional<String> after, Set<String> types, int limit, Duration waitFor) {
    public static final int LIMIT_MAX = 1_000;
    public static final int LIMIT_DEFAULT = 100;
    /** The longest a read waits for an event. */
    public static final Duration WAIT_MAX = Duration.ofSeconds(30);

    public EventQuery {
        after = after == null ? Optional.empty() : after;
        after.ifPresent(EventQuery::position);
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
        for (String type : types) {
            if (!Event.TYPES.contains(type)) {
                throw WalletException.invalid("types", "has no event type " + type + "; the types are " + Event.TYPES);
            }
        }
        if (limit < 1 || limit > LIMIT_MAX) {
            throw WalletException.invalid("limit", "must be between 1 and " + LIMIT_MAX);
        }
        waitFor = waitFor == null ? Duration.ZERO : waitFor;
        if (waitFor.isNegative() || waitFor.compareTo(WAIT_MAX) > 0) {
            throw WalletException.invalid("wait", "must be between 0 and " + WAIT_MAX.toSeconds() + " seconds");
        }
    }

    /** From the feed's start, every type, a default page, no wait. */
    public static EventQuery all() {
        return new EventQuery(Optional.empty(), Set.of(), LIMIT_DEFAULT, Duration.ZERO);
    }

    /** The feed position a cursor names: its text is the position, a whole number from 0. */
    public static long position(String cursor) {
        if (cursor == null
                || cursor.isEmpty()
                || cursor.length() > 19
                || !cursor.chars().allMatch(Character::isDigit)) {
            throw WalletException.invalid("after", "is not a feed cursor");
        }
        return Long.parseLong(cursor);
    }
}
