package dev.walletledger.runtime;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the database is and who to log in as, parsed from {@code DATABASE_URL} in either form:
 * <ul>
 *   <li>{@code jdbc:postgresql://host:port/db?user=u&password=p&sslmode=require} (JDBC), or</li>
 *   <li>{@code postgresql://u:p@host:port/db?sslmode=require} (libpq form; {@code postgres://} too).</li>
 * </ul>
 * User and password are URL-decoded and taken out of {@link #jdbcUrl()}, so the URL can be logged;
 * {@link #toString()} masks the password.
 *
 * @param jdbcUrl  a {@code jdbc:postgresql://} URL without user or password
 * @param user     the user, or null to let the driver decide
 * @param password the password, or null
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {
    private static final String JDBC_PREFIX = "jdbc:postgresql://";

    public DatabaseUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException("jdbcUrl must start with " + JDBC_PREFIX);
        }
    }

    /**
     * Parses either form.
     *
     * @throws IllegalArgumentException naming what is wrong, never echoing the password
     */
    public static DatabaseUrl parse(String text) {
        Objects.requireNonNull(text, "DATABASE_URL");
        String trimmed = text.strip();
        if (trimmed.startsWith(JDBC_PREFIX)) {
            return parseJdbc(trimmed);
        }
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            return parseLibpq(trimmed);
        }
        throw new IllegalArgumentException(
                "DATABASE_URL must start with jdbc:postgresql://, postgresql:// or postgres://");
    }

    private static DatabaseUrl parseJdbc(String text) {
        int query = text.indexOf('?');
        if (query < 0) {
            return new DatabaseUrl(text, null, null);
        }
        String user = null;
        String password = null;
        List<String> kept = new ArrayList<>();
        for (String parameter : text.substring(query + 1).split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : decode(parameter.substring(equals + 1));
            switch (name) {
                case "user" -> user = value;
                case "password" -> password = value;
                default -> kept.add(parameter);
            }
        }
        String base = text.substring(0, query);
        return new DatabaseUrl(kept.isEmpty() ? base : base + "?" + String.join("&", kept), user, password);
    }

    private static DatabaseUrl parseLibpq(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // The reason names a position, never the text: the text may hold a password.
            throw new IllegalArgumentException("DATABASE_URL is not a valid URL (at index " + e.getIndex() + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("DATABASE_URL must name a host");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]"
                : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new DatabaseUrl(JDBC_PREFIX + host + ":" + port + path + query, user, password);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
    }
}
