package dev.walletledger.core;

import java.util.List;
import java.util.Optional;

/**
 * A page of user ids in code point order, from {@link Ledger#users}. {@code nextAfter} is present when more
 * users may follow: pass it as {@code after} for the next page. A user is listed once, whatever the number of
 * assets and accounts it holds.
 */
public record UserPage(List<String> users, Optional<String> nextAfter) {
    /** The most users one page may hold. */
    public static final int LIMIT_MAX = 100;

    public UserPage {
        users = List.copyOf(users);
        nextAfter = nextAfter == null ? Optional.empty() : nextAfter;
    }
}
