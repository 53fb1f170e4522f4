package dev.walletledger.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A digest of every USER wallet's chain head as of ledger entry {@code entryId}: store its text outside
 * the database (a ticket, a log, a git commit) and later {@link Ledger#verify(Anchor, AuditProgress)}
 * proves that history up to that point is unchanged, even against someone who rewrote the rows and
 * recomputed their hashes. Text form: {@code wl1.<entryId>.<64 hex digits>}.
 */
public record Anchor(long entryId, String digest) {
    private static final Pattern TEXT = Pattern.compile("wl1\\.([0-9]{1,19})\\.([0-9a-f]{64})");

    public Anchor {
        if (entryId < 0) {
            throw WalletException.invalid("anchor", "entry id must not be negative");
        }
        if (digest == null || !digest.matches("[0-9a-f]{64}")) {
            throw WalletException.invalid("anchor", "digest must be 64 lower-case hex digits");
        }
    }

    public static Anchor parse(String text) {
        Matcher matcher = TEXT.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw WalletException.invalid("anchor", "must look like wl1.<entry id>.<64 hex digits>");
        }
        try {
            return new Anchor(Long.parseLong(matcher.group(1)), matcher.group(2));
        } catch (NumberFormatException e) {
            throw WalletException.invalid("anchor", "entry id is too large");
        }
    }

    @Override
    public String toString() {
        return "wl1." + entryId + "." + digest;
    }
}
