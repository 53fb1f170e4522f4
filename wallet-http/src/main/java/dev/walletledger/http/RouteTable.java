package dev.walletledger.http;

import dev.walletledger.core.WalletException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Matches a raw (still percent-encoded) request path and query against the routes. Each path segment is
 * decoded on its own, so {@code %2F} inside a user id stays part of the id. An unknown path is 404
 * {@code NOT_FOUND}; a known path with another method is 405 with {@code Allow}. HEAD is served by the GET
 * route of the path (RFC 9110 section 9.3.2: the same status and headers; Undertow sends no body).
 */
final class RouteTable {
    /** More query parameters than any route takes; bounds the work a hostile query string can cause. */
    private static final int QUERY_PARAMETERS_MAX = 16;

    private final List<Route> routes;

    RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    List<Route> routes() {
        return routes;
    }

    record Match(Route route, Map<String, String> pathParameters) {}

    Match match(String method, String rawPath) {
        List<String> segments = split(rawPath);
        String served = method.equals("HEAD") ? "GET" : method;
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> parameters = bind(route.segments(), segments);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(served)) {
                return new Match(route, parameters);
            }
            allowed.add(route.method());
            if (route.method().equals("GET")) {
                allowed.add("HEAD");
            }
        }
        if (allowed.isEmpty()) {
            throw new ApiException(HttpErrorCode.NOT_FOUND, "no such resource: " + shorten(rawPath));
        }
        String allow = String.join(", ", allowed);
        throw new ApiException(
                HttpErrorCode.METHOD_NOT_ALLOWED,
                method.length() > 20 ? "method not allowed" : method + " is not allowed here; use " + allow,
                Map.of("allow", allow),
                Map.of("Allow", allow));
    }

    /** Null when the path does not fit the template. */
    private static Map<String, String> bind(List<String> template, List<String> segments) {
        if (template.size() != segments.size()) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String expected = template.get(i);
            if (expected.startsWith("{")) {
                String value = decode(segments.get(i), false, expected.substring(1, expected.length() - 1));
                if (value.isEmpty()) {
                    return null;
                }
                parameters.put(expected.substring(1, expected.length() - 1), value);
            } else if (!expected.equals(segments.get(i))) {
                return null;
            }
        }
        return parameters;
    }

    /**
     * Checks the query string against what the route accepts: known names, each at most once, never empty.
     * A route that ignores its query gets none, whatever was sent.
     */
    static Map<String, List<String>> query(Route route, String rawQuery) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty() || route.ignoresQuery()) {
            return result;
        }
        String[] pairs = rawQuery.split("&", QUERY_PARAMETERS_MAX + 1);
        if (pairs.length > QUERY_PARAMETERS_MAX) {
            throw WalletException.invalid("query", "has too many parameters");
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), true, "query");
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), true, name);
            if (!route.queryParameters().contains(name)) {
                throw WalletException.invalid(
                        shorten(name),
                        "is not a query parameter of this endpoint"
                                + (route.queryParameters().isEmpty()
                                        ? ""
                                        : " (allowed: " + String.join(", ", route.queryParameters()) + ")"));
            }
            if (result.containsKey(name)) {
                throw WalletException.invalid(name, "must be given at most once");
            }
            if (value.isEmpty()) {
                throw WalletException.invalid(name, "must not be empty (leave the parameter out instead)");
            }
            result.put(name, List.of(value));
        }
        return result;
    }

    static List<String> split(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            segments.add(segment);
        }
        if (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        return segments;
    }

    /**
     * Strict percent-decoding to UTF-8; malformed escapes or bytes are a 400 naming the field. Over HTTP/1.1
     * a malformed escape never arrives here (Undertow's parser answers it with a bare 400 first, whatever
     * the listener's options); the check stays so this method is strict on its own.
     */
    static String decode(String raw, boolean plusIsSpace, String field) {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw WalletException.invalid(shorten(field), "has a malformed percent-escape");
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw WalletException.invalid(shorten(field), "has a malformed percent-escape");
                }
                bytes.put((byte) (high * 16 + low));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.put((byte) ' ');
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                throw WalletException.invalid(shorten(field), "must be percent-encoded UTF-8");
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw WalletException.invalid(shorten(field), "is not valid percent-encoded UTF-8");
        }
    }

    static String shorten(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
