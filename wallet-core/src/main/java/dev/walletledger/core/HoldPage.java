package dev.walletledger.core;

import java.util.List;
import java.util.Optional;

/**
 * A page of a user's holds, newest first. {@code nextCursor} is present when older holds remain: pass it to
 * get the next page.
 */
public record HoldPage(List<Hold> holds, Optional<String> nextCursor) {
    public HoldPage {
        holds = List.copyOf(holds);
        nextCursor = nextCursor == null ? Optional.empty() : nextCursor;
    }
}
