package dev.walletledger.runtime;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259, nothing lenient) into plain Java values: objects as maps in their order,
 * arrays as lists, numbers exact as {@link BigDecimal}, strings, booleans, and JSON null as {@code null}.
 * Nesting is bounded by the caller's {@code depthMax}, so the recursion is too; a duplicate key, a number
 * longer than 100 characters and trailing text are refused. The ledger reads metadata with it (the string entry
 * point of {@code Metadata}) and the backup manifest; the server reads its requests with Jackson instead.
 */
public final class JsonReader {
    /** Why text is not the JSON the caller wanted: the message reads after the name of the thing read. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private static final int NUMBER_LENGTH_MAX = 100;

    private final String text;
    private final int depthMax;
    private int position;

    private JsonReader(String text, int depthMax) {
        this.text = text;
        this.depthMax = depthMax;
    }

    /** One JSON value, all of {@code text}; objects nest at most {@code depthMax} levels. */
    public static Object read(String text, int depthMax) {
        JsonReader reader = new JsonReader(text, depthMax);
        reader.skipWhiteSpace();
        Object value = reader.value(0);
        reader.skipWhiteSpace();
        if (reader.position != text.length()) {
            throw new Malformed("has unexpected text after the value at offset " + reader.position);
        }
        return value;
    }

    private Object value(int depth) {
        skipWhiteSpace();
        char c = peek();
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new Malformed("has an unexpected character at offset " + position);
            }
        };
    }

    private Map<String, Object> object(int depth) {
        if (depth > depthMax) {
            throw new Malformed("must nest at most " + depthMax + " levels");
        }
        expect('{');
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhiteSpace();
        if (peek() == '}') {
            position++;
            return members;
        }
        for (int count = 0; count <= text.length(); count++) { // bounded: every member consumes text
            skipWhiteSpace();
            if (peek() != '"') {
                throw new Malformed("has an object key that is not a string at offset " + position);
            }
            String key = string();
            skipWhiteSpace();
            expect(':');
            Object member = value(depth);
            if (members.containsKey(key)) {
                throw new Malformed("has the key \"" + shorten(key) + "\" twice");
            }
            members.put(key, member);
            skipWhiteSpace();
            char next = next();
            if (next == '}') {
                return members;
            }
            if (next != ',') {
                throw new Malformed("expected ',' or '}' at offset " + (position - 1));
            }
        }
        throw new Malformed("ends too early");
    }

    private List<Object> array(int depth) {
        if (depth > depthMax) {
            throw new Malformed("must nest at most " + depthMax + " levels");
        }
        expect('[');
        List<Object> elements = new ArrayList<>();
        skipWhiteSpace();
        if (peek() == ']') {
            position++;
            return elements;
        }
        for (int count = 0; count <= text.length(); count++) { // bounded: every element consumes text
            elements.add(value(depth));
            skipWhiteSpace();
            char next = next();
            if (next == ']') {
                return elements;
            }
            if (next != ',') {
                throw new Malformed("expected ',' or ']' at offset " + (position - 1));
            }
        }
        throw new Malformed("ends too early");
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw new Malformed("has an unexpected word at offset " + position);
        }
        position += word.length();
        return value;
    }

    private BigDecimal number() {
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
        if (literal.length() > NUMBER_LENGTH_MAX) {
            throw new Malformed("has a number longer than " + NUMBER_LENGTH_MAX + " characters");
        }
        try {
            return new BigDecimal(literal);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new Malformed("has an invalid number at offset " + start);
        }
    }

    private void digits() {
        int start = position;
        while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9') {
            position++;
        }
        if (position == start) {
            throw new Malformed("has an invalid number at offset " + start);
        }
    }

    private String string() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) { // bounded: every turn consumes a character, and the end of the text throws
            if (position >= text.length()) {
                throw new Malformed("has an unterminated string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return value.toString();
            }
            if (c < 0x20) {
                throw new Malformed("has an unescaped control character in a string");
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
                default -> throw new Malformed("has an invalid escape \\" + escape);
            }
        }
    }

    private char unicodeEscape() {
        if (position + 4 > text.length()) {
            throw new Malformed("has a truncated \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position++), 16);
            if (digit < 0) {
                throw new Malformed("has an invalid \\u escape");
            }
            code = code * 16 + digit;
        }
        return (char) code;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new Malformed("expected '" + c + "' at offset " + (position - 1));
        }
    }

    private char next() {
        if (position >= text.length()) {
            throw new Malformed("ends too early");
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

    private static String shorten(String key) {
        return key.length() > 40 ? key.substring(0, 40) + "..." : key;
    }
}
