package dev.walletledger.core;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A point in the primary database's write-ahead log, as PostgreSQL writes it ({@code 16/B374D848}): the
 * read-your-writes token. {@link Ledger#position()} taken after a write is at or past that write's commit;
 * a read given it ({@link Ledger#reads(Position)}) is served by the replica only once the replica has
 * replayed that far, so it sees the write and everything acknowledged before it.
 */
public record Position(String lsn) {
    private static final Pattern LSN = Pattern.compile("[0-9A-F]{1,8}/[0-9A-F]{1,8}");

    /** @throws WalletException {@code VALIDATION_FAILED} unless {@code lsn} is a log position */
    public Position {
        if (lsn == null || !LSN.matcher(lsn).matches()) {
            throw WalletException.of(
                    ErrorCode.VALIDATION_FAILED,
                    "position must be a log position such as 16/B374D848, as a write answered it",
                    Map.of("field", "position"));
        }
    }

    /** Upper-case hexadecimal is PostgreSQL's spelling; lower case is accepted too. */
    public static Position parse(String text) {
        return new Position(text == null ? null : text.trim().toUpperCase(java.util.Locale.ROOT));
    }

    @Override
    public String toString() {
        return lsn;
    }
}
