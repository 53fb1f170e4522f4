package dev.walletledger.core;

import java.text.Normalizer;
import java.util.regex.Pattern;

/** Argument checks shared by the request records; each failure names the field in wire spelling. */
final class Checks {
    /** Ids (user, reference) and descriptive fields are at most this many characters (code points). */
    static final int TEXT_LENGTH_MAX = 100;

    private static final Pattern ASSET_CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,49}");

    private Checks() {}

    /**
     * A required identifier (a user id, a reference id), in Unicode NFC: 1..100 characters, no control
     * characters, no surrounding spaces. Normalized, because the same name typed on two systems can arrive
     * composed ("é") or decomposed ("e" + U+0301): without it they would be two wallets, or two references
     * for one payment.
     */
    static String identifier(String field, String value) {
        if (value == null) {
            throw WalletException.invalid(field, "is required");
        }
        return text(field, Normalizer.normalize(value, Normalizer.Form.NFC));
    }

    /**
     * A request's reference id: an {@link #identifier}, outside the ledger's own reserved prefix
     * ({@value Operation.Expiry#RESERVED_PREFIX}), which only the references the ledger posts under itself use.
     */
    static String reference(String value) {
        String reference = identifier("reference_id", value);
        if (reference.startsWith(Operation.Expiry.RESERVED_PREFIX)) {
            throw WalletException.invalid(
                    "reference_id",
                    "must not start with '" + Operation.Expiry.RESERVED_PREFIX + "' (reserved for the ledger)");
        }
        return reference;
    }

    /** An optional descriptive field: absent (null) or a valid identifier. */
    static String optionalText(String field, String value) {
        return value == null ? null : text(field, value);
    }

    private static String text(String field, String value) {
        if (value.isBlank()) {
            throw WalletException.invalid(field, "must not be blank");
        }
        if (value.codePointCount(0, value.length()) > TEXT_LENGTH_MAX) {
            throw WalletException.invalid(field, "must be at most " + TEXT_LENGTH_MAX + " characters");
        }
        if (!value.strip().equals(value)) {
            throw WalletException.invalid(field, "must not start or end with white space");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw WalletException.invalid(field, "must not contain control characters");
            }
            if (Character.isSurrogate(c) && !validSurrogatePair(value, i)) {
                throw WalletException.invalid(field, "must be valid Unicode text");
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return value;
    }

    static boolean validSurrogatePair(CharSequence text, int index) {
        return Character.isHighSurrogate(text.charAt(index))
                && index + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(index + 1));
    }

    /**
     * What a caller may submit: not the ledger's own {@link Operation.Expiry}, and a hold whose {@code expires_at}
     * is from 1 second to {@value Hold#EXPIRY_SECONDS_MAX} seconds from now (the ledger's clock). {@code index}
     * names the operation in a batch.
     */
    static void submittable(Operation operation, int index, boolean inBatch) {
        String where = inBatch ? "operations[" + index + "]." : "";
        if (operation instanceof Operation.Expiry || operation instanceof Operation.LotExpiry) {
            throw WalletException.invalid(where + "type", "an expiry is posted by the ledger itself, never submitted");
        }
        java.time.Instant lotExpiry = operation instanceof Operation.TopUp t
                ? t.expiresAt()
                : operation instanceof Operation.Bonus b ? b.expiresAt() : null;
        if (lotExpiry != null && !lotExpiry.isAfter(java.time.Instant.now())) {
            throw WalletException.invalid(where + "expires_at", "must be in the future");
        }
        if (operation instanceof Operation.Hold hold && hold.expiresAt() != null) {
            java.time.Instant now = java.time.Instant.now();
            if (hold.expiresAt().isBefore(now.plusSeconds(1))
                    || hold.expiresAt().isAfter(now.plusSeconds(Hold.EXPIRY_SECONDS_MAX))) {
                throw WalletException.invalid(
                        where + "expires_at",
                        "must be from 1 second to " + Hold.EXPIRY_SECONDS_MAX + " seconds (30 days) from now");
            }
        }
    }

    /** The earliest and latest expiry a lot may have: its account's name keeps a four-digit year. */
    static final java.time.Instant LOT_EXPIRY_MIN = java.time.Instant.parse("2000-01-01T00:00:00Z");

    static final java.time.Instant LOT_EXPIRY_MAX = java.time.Instant.parse("9999-12-31T23:59:59Z");

    /**
     * A lot's expiry, kept to the second: a fraction of a second is rounded up (coins never expire earlier than
     * asked). Null stays null (never).
     */
    static java.time.Instant lotExpiry(java.time.Instant value) {
        if (value == null) {
            return null;
        }
        java.time.Instant seconds = value.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        java.time.Instant rounded = seconds.equals(value) ? seconds : seconds.plusSeconds(1);
        if (rounded.isBefore(LOT_EXPIRY_MIN) || rounded.isAfter(LOT_EXPIRY_MAX)) {
            throw WalletException.invalid("expires_at", "must be from " + LOT_EXPIRY_MIN + " to " + LOT_EXPIRY_MAX);
        }
        return rounded;
    }

    static String assetCode(String value) {
        if (value == null) {
            throw WalletException.invalid("asset_code", "is required");
        }
        if (!ASSET_CODE.matcher(value).matches()) {
            throw WalletException.invalid(
                    "asset_code", "must be 1-50 upper-case letters, digits or '_', starting with a letter");
        }
        return value;
    }

    static long amount(long value) {
        if (value < 1 || value > Operation.AMOUNT_MAX) {
            throw WalletException.invalid("amount", Operation.AMOUNT_RANGE + ", got " + value);
        }
        return value;
    }
}
