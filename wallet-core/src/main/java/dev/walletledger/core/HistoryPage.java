package dev.walletledger.core;

import java.util.List;
import java.util.Optional;

/**
 * A page of history, newest first. {@code nextCursor} is present when older entries remain: pass it to
 * {@link Ledger#history} for the next page. Cursors are opaque and stay valid forever (the ledger is
 * append-only, so a page never shifts).
 */
public record HistoryPage(List<HistoryItem> items, Optional<String> nextCursor) {
    /** The most items one page may hold. */
    public static final int LIMIT_MAX = 500;

    public HistoryPage {
        items = List.copyOf(items);
        nextCursor = nextCursor == null ? Optional.empty() : nextCursor;
    }
}
