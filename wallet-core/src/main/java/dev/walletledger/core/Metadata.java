package dev.walletledger.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A transaction's metadata: a JSON object, kept in canonical form (keys sorted, no white space,
 * numbers normalized) so that two requests mean the same thing exactly when their metadata are equal.
 *
 * <p>Limits: at most {@value #BYTES_MAX} bytes of canonical UTF-8 JSON and {@value #DEPTH_MAX} levels of
 * nesting; no duplicate keys; no {@code \u0000} (PostgreSQL's jsonb cannot hold it); numbers with a
 * decimal exponent within ±{@value #EXPONENT_MAX}.
 */
public final class Metadata {
    public static final int BYTES_MAX = 16_384;
    public static final int DEPTH_MAX = 8;
    public static final int EXPONENT_MAX = 1_000;

    private static final Metadata EMPTY = new Metadata("{}");

    private final String json;

    private Metadata(String json) {
        this.json = json;
    }

    public static Metadata empty() {
        return EMPTY;
    }

    /**
     * Parses strict JSON text that must be one object.
     *
     * @throws WalletException {@code VALIDATION_FAILED} naming the field {@code metadata}
     */
    public static Metadata parse(String json) {
        if (json == null) {
            throw WalletException.invalid("metadata", "is required");
        }
        if (json.length() > BYTES_MAX * 6) { // even fully escaped, longer text cannot fit the limit
            throw WalletException.invalid("metadata", "must be at most " + BYTES_MAX + " bytes");
        }
        return checked(Canonical.parse(json));
    }

    /**
     * Builds metadata from Java values: maps with string keys, lists, strings, booleans, null, and
     * numbers (integral types, {@link BigDecimal}, {@link BigInteger}, finite doubles and floats).
     */
    public static Metadata of(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        StringBuilder canonical = new StringBuilder();
        Canonical.writeValue(values, canonical, 1);
        return checked(canonical.toString());
    }

    private static Metadata checked(String canonical) {
        if (canonical.getBytes(StandardCharsets.UTF_8).length > BYTES_MAX) {
            throw WalletException.invalid("metadata", "must be at most " + BYTES_MAX + " bytes as canonical JSON");
        }
        return canonical.equals("{}") ? EMPTY : new Metadata(canonical);
    }

    /** The canonical JSON text of the object. */
    public String json() {
        return json;
    }

    public boolean isEmpty() {
        return json.equals("{}");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Metadata that && json.equals(that.json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json;
    }

    /** Numbers are compared by value: 1.0, 1 and 1e0 are the same. */
    static String canonicalNumber(BigDecimal value) {
        BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        int exponent = stripped.precision() - stripped.scale() - 1;
        if (Math.abs(exponent) > EXPONENT_MAX) {
            throw WalletException.invalid("metadata", "numbers must have a decimal exponent within ±" + EXPONENT_MAX);
        }
        return stripped.scale() <= 0 || exponent >= -6 ? stripped.toPlainString() : stripped.toString();
    }
}
