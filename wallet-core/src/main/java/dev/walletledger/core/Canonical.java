package dev.walletledger.core;

import dev.walletledger.runtime.JsonReader;
import dev.walletledger.runtime.JsonText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metadata's canonical form: keys sorted by UTF-16 code unit (as RFC 8785, JCS, sorts them), no white space,
 * strings with the short escapes, numbers exact (see {@link Metadata#canonicalNumber}: JCS would write them as
 * IEEE doubles, which rounds). Text is read by {@link JsonReader}, strictly, then written here.
 */
final class Canonical {
    private Canonical() {}

    /** Strict JSON text that must be one object, read and written canonically. */
    static String parse(String json) {
        int start = 0;
        while (start < json.length() && " \t\n\r".indexOf(json.charAt(start)) >= 0) {
            start++;
        }
        if (start >= json.length() || json.charAt(start) != '{') {
            throw error("must be a JSON object");
        }
        Object tree;
        try {
            tree = JsonReader.read(json, Metadata.DEPTH_MAX);
        } catch (JsonReader.Malformed e) {
            throw error(e.getMessage());
        }
        StringBuilder canonical = new StringBuilder(json.length());
        writeValue(tree, canonical, 1);
        return canonical.toString();
    }

    /** The canonical form of a string's content: refuses what jsonb cannot hold and lone surrogates. */
    private static void checkText(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw error("must not contain \\u0000");
            }
            if (Character.isSurrogate(c)) {
                if (!Checks.validSurrogatePair(value, i)) {
                    throw error("has a lone surrogate: not valid Unicode");
                }
                i++;
            }
        }
    }

    private static WalletException error(String message) {
        return WalletException.invalid("metadata", message);
    }

    /** Writes a Java value (see {@link Metadata#of}) in canonical form. */
    static void writeValue(Object value, StringBuilder out, int depth) {
        if (depth > Metadata.DEPTH_MAX) {
            throw error("must nest at most " + Metadata.DEPTH_MAX + " levels");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            checkText(s);
            JsonText.appendQuoted(s, out);
        } else if (value instanceof Boolean b) {
            out.append(b);
        } else if (value instanceof Map<?, ?> map) {
            writeMap(map, out, depth);
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object element : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeValue(element, out, depth + 1);
            }
            out.append(']');
        } else if (value instanceof Number number) {
            out.append(Metadata.canonicalNumber(toBigDecimal(number)));
        } else {
            throw error("cannot hold a value of type " + value.getClass().getSimpleName());
        }
    }

    private static void writeMap(Map<?, ?> map, StringBuilder out, int depth) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw error("keys must be strings");
            }
            checkText(key);
            sorted.put(key, entry.getValue());
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> entry : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            JsonText.appendQuoted(entry.getKey(), out);
            out.append(':');
            writeValue(entry.getValue(), out, depth + 1);
        }
        out.append('}');
    }

    private static BigDecimal toBigDecimal(Number number) {
        if (number instanceof BigDecimal d) {
            return d;
        }
        if (number instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (!Double.isFinite(d)) {
                throw error("numbers must be finite");
            }
            return new BigDecimal(Double.toString(d));
        }
        if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte) {
            return BigDecimal.valueOf(number.longValue());
        }
        throw error("cannot hold a number of type " + number.getClass().getSimpleName());
    }
}
