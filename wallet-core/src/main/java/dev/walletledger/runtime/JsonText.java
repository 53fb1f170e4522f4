package dev.walletledger.runtime;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The ledger's text forms wherever it writes JSON (canonical metadata, the server's answers, the CLI's
 * {@code --json}), so one value always reads the same everywhere. Support for the server and the command
 * line, like the rest of this package: not part of the ledger's API.
 */
public final class JsonText {
    /** Microseconds, PostgreSQL's precision, always six digits: the same instant always prints the same. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private JsonText() {}

    /** {@code 2026-11-30T18:04:00.942597Z}: UTC, six fractional digits. */
    public static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    /**
     * Appends {@code value} as a JSON string: quotes, backslashes and control characters escaped (the short
     * escapes where JSON has them, else {@code \\u00XX}), everything else as is. This is the canonical form
     * stored metadata is hashed in: do not change it.
     */
    public static void appendQuoted(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
