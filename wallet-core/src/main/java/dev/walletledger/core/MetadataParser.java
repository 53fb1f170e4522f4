package dev.walletledger.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A strict JSON reader (RFC 8259, nothing lenient) that writes the canonical form as it reads. Nesting
 * is bounded by {@link Metadata#DEPTH_MAX}, so the recursion is too.
 */
final class MetadataParser {
    private final String text;
    private final StringBuilder out;
    private int position;

    MetadataParser(String text, StringBuilder out) {
        this.text = text;
        this.out = out;
    }

    void parseDocument() {
        skipWhiteSpace();
        if (peek() != '{') {
            throw error("must be a JSON object");
        }
        out.append(parseObject(1));
        skipWhiteSpace();
        if (position != text.length()) {
            throw error("has unexpected text after the object at offset " + position);
        }
    }

    private String parseObject(int depth) {
        if (depth > Metadata.DEPTH_MAX) {
            throw error("must nest at most " + Metadata.DEPTH_MAX + " levels");
        }
        expect('{');
        TreeMap<String, String> members = new TreeMap<>();
        skipWhiteSpace();
        if (peek() == '}') {
            position++;
            return "{}";
        }
        while (true) {
            skipWhiteSpace();
            if (peek() != '"') {
                throw error("has an object key that is not a string at offset " + position);
            }
            String key = parseString();
            skipWhiteSpace();
            expect(':');
            String value = parseValue(depth);
            if (members.put(key, value) != null) {
                throw error("has the key \"" + shorten(key) + "\" twice");
            }
            skipWhiteSpace();
            char next = next();
            if (next == '}') {
                break;
            }
            if (next != ',') {
                throw error("expected ',' or '}' at offset " + (position - 1));
            }
        }
        StringBuilder canonical = new StringBuilder();
        canonical.append('{');
        members.forEach((key, value) -> {
            if (canonical.length() > 1) {
                canonical.append(',');
            }
            JsonText.appendQuoted(key, canonical);
            canonical.append(':').append(value);
        });
        return canonical.append('}').toString();
    }

    private String parseArray(int depth) {
        if (depth > Metadata.DEPTH_MAX) {
            throw error("must nest at most " + Metadata.DEPTH_MAX + " levels");
        }
        expect('[');
        StringBuilder canonical = new StringBuilder("[");
        skipWhiteSpace();
        if (peek() == ']') {
            position++;
            return "[]";
        }
        while (true) {
            if (canonical.length() > 1) {
                canonical.append(',');
            }
            canonical.append(parseValue(depth));
            skipWhiteSpace();
            char next = next();
            if (next == ']') {
                return canonical.append(']').toString();
            }
            if (next != ',') {
                throw error("expected ',' or ']' at offset " + (position - 1));
            }
        }
    }

    private String parseValue(int depth) {
        skipWhiteSpace();
        char c = peek();
        switch (c) {
            case '{':
                return parseObject(depth + 1);
            case '[':
                return parseArray(depth + 1);
            case '"': {
                StringBuilder canonical = new StringBuilder();
                JsonText.appendQuoted(parseString(), canonical);
                return canonical.toString();
            }
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return parseNumber();
                }
                throw error("has an unexpected character at offset " + position);
        }
    }

    private String literal(String word) {
        if (!text.startsWith(word, position)) {
            throw error("has an unexpected word at offset " + position);
        }
        position += word.length();
        return word;
    }

    private String parseNumber() {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        if (peek() == '0') {
            position++;
        } else {
            digits();
        }
        if (peek() == '.') {
            position++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            position++;
            if (peek() == '+' || peek() == '-') {
                position++;
            }
            digits();
        }
        String literal = text.substring(start, position);
        if (literal.length() > 100) {
            throw error("has a number longer than 100 characters");
        }
        try {
            return Metadata.canonicalNumber(new BigDecimal(literal));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("has an invalid number at offset " + start);
        }
    }

    private void digits() {
        int start = position;
        while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9') {
            position++;
        }
        if (position == start) {
            throw error("has an invalid number at offset " + start);
        }
    }

    private String parseString() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("has an unterminated string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw error("has an unescaped control character in a string");
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            char escape = next();
            switch (escape) {
                case '"', '\\', '/' -> value.append(escape);
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'u' -> value.append(unicodeEscape());
                default -> throw error("has an invalid escape \\" + escape);
            }
        }
        String result = value.toString();
        checkText(result);
        return result;
    }

    private char unicodeEscape() {
        if (position + 4 > text.length()) {
            throw error("has a truncated \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position++), 16);
            if (digit < 0) {
                throw error("has an invalid \\u escape");
            }
            code = code * 16 + digit;
        }
        return (char) code;
    }

    private void checkText(String value) {
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

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "' at offset " + (position - 1));
        }
    }

    private char next() {
        if (position >= text.length()) {
            throw error("ends too early");
        }
        return text.charAt(position++);
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhiteSpace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    private static WalletException error(String message) {
        return WalletException.invalid("metadata", message);
    }

    private static String shorten(String key) {
        return key.length() > 40 ? key.substring(0, 40) + "..." : key;
    }

    /** Writes a Java value (see {@link Metadata#of}) in canonical form. */
    static void writeValue(Object value, StringBuilder out, int depth) {
        if (depth > Metadata.DEPTH_MAX) {
            throw error("must nest at most " + Metadata.DEPTH_MAX + " levels");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            new MetadataParser("", out).checkText(s);
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
            new MetadataParser("", out).checkText(key);
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
