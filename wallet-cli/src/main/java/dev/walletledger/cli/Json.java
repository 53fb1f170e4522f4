package dev.walletledger.cli;

import dev.walletledger.runtime.JsonText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for the CLI's {@code --json} output: maps (in their iteration order), lists and other collections,
 * strings, whole numbers, booleans, null, and {@link Raw} text that already is JSON (a transaction's
 * canonical metadata). One line per document; scripts pipe it to jq.
 */
final class Json {
    /** Nesting deeper than this is a bug in the caller, not data. */
    private static final int DEPTH_MAX = 16;

    private Json() {}

    /** JSON text that is written as is. */
    record Raw(String json) {}

    /** A JSON object's text as a map of plain values (numbers as BigDecimal), to add fields to and write again. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> object(String json) {
        return (java.util.Map<String, Object>) dev.walletledger.runtime.JsonReader.read(json, 4);
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, int depth) {
        if (depth > DEPTH_MAX) {
            throw new IllegalStateException("JSON nested deeper than " + DEPTH_MAX);
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof Raw raw) {
            out.append(raw.json());
        } else if (value instanceof String text) {
            JsonText.appendQuoted(text, out);
        } else if (value instanceof Boolean
                || value instanceof Long
                || value instanceof Integer
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof BigDecimal decimal) {
            out.append(decimal.toPlainString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                JsonText.appendQuoted((String) entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out, depth + 1);
            }
            out.append('}');
        } else if (value instanceof Collection<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                out.append(first ? "" : ",");
                first = false;
                write(item, out, depth + 1);
            }
            out.append(']');
        } else if (value instanceof Enum<?> constant) {
            JsonText.appendQuoted(constant.name(), out);
        } else if (value instanceof Instant instant) {
            JsonText.appendQuoted(JsonText.timestamp(instant), out); // six digits, as the server writes it
        } else {
            JsonText.appendQuoted(value.toString(), out); // a UUID: its canonical text
        }
    }
}
