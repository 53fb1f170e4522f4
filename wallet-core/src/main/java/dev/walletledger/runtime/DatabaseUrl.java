package dev.walletledger.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the database is and who to log in as, parsed from {@code DATABASE_URL} in either form:
 * <ul>
 *   <li>{@code jdbc:postgresql://host:port/db?user=u&password=p&sslmode=require} (JDBC), or</li>
 *   <li>{@code postgresql://u:p@host:port/db?sslmode=require} (libpq form; {@code postgres://} too), with
 *       one or several hosts ({@code postgresql://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write}).</li>
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
    /** As {@link #parse(String)}, for a URL read from the variable {@code name}, which errors name. */
    public static DatabaseUrl parse(String text, String name) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(
                    message.startsWith("DATABASE_URL") ? name + message.substring("DATABASE_URL".length()) : message,
                    e);
        }
    }

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

    /**
     * {@code postgresql://[user[:password]@]host[:port][,host[:port]...][/db][?param=value&...]}: one or
     * several hosts (libpq's multi-host form), each an IPv6 address in brackets or a name. libpq's
     * parameters that pgjdbc spells differently are translated: {@code target_session_attrs}
     * ({@code read-write}/{@code primary} to {@code targetServerType=primary}, {@code read-only}/{@code standby}
     * to {@code secondary}, {@code prefer-standby} to {@code preferSecondary}, {@code any}),
     * {@code connect_timeout} and {@code application_name}; the others pass through as they are.
     */
    private static DatabaseUrl parseLibpq(String text) {
        String rest = text.substring(text.indexOf("://") + 3);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        int queryAt = rest.indexOf('?');
        String query = queryAt < 0 ? "" : rest.substring(queryAt + 1);
        rest = queryAt < 0 ? rest : rest.substring(0, queryAt);
        int slash = rest.indexOf('/');
        String path = slash < 0 ? "/postgres" : rest.substring(slash);
        if (path.equals("/")) {
            path = "/postgres";
        }
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        List<String> hosts = new ArrayList<>();
        for (String entry : authority.split(",", -1)) {
            hosts.add(hostAndPort(entry));
        }
        List<String> parameters = new ArrayList<>();
        for (String parameter : query.split("&")) {
            if (!parameter.isEmpty()) {
                parameters.add(translate(parameter));
            }
        }
        return new DatabaseUrl(
                JDBC_PREFIX
                        + String.join(",", hosts)
                        + path
                        + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters)),
                user,
                password);
    }

    /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port} to {@code host:port} (5432 by default). */
    private static String hostAndPort(String entry) {
        String host;
        String port = "5432";
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DATABASE_URL has an IPv6 host without its closing ]");
            }
            host = entry.substring(0, close + 1);
            String after = entry.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("DATABASE_URL has text after an IPv6 host");
                }
                port = after.substring(1);
            }
        } else {
            int colon = entry.lastIndexOf(':');
            host = colon < 0 ? entry : entry.substring(0, colon);
            if (colon >= 0) {
                port = entry.substring(colon + 1);
            }
        }
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("DATABASE_URL must name a host (an empty one in the host list)");
        }
        if (!host.startsWith("[") && !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("DATABASE_URL has a host name with characters a host cannot have");
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
            throw new IllegalArgumentException("DATABASE_URL has a port that is not a number from 1 to 65535");
        }
        return host + ":" + port;
    }

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._%-]+");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** One libpq query parameter in pgjdbc's spelling. */
    private static String translate(String parameter) {
        int equals = parameter.indexOf('=');
        String name = equals < 0 ? parameter : parameter.substring(0, equals);
        String value = equals < 0 ? "" : decode(parameter.substring(equals + 1));
        return switch (name) {
            case "target_session_attrs" ->
                "targetServerType="
                        + switch (value) {
                            case "read-write", "primary" -> "primary";
                            case "read-only", "standby" -> "secondary";
                            case "prefer-standby" -> "preferSecondary";
                            case "any" -> "any";
                            default ->
                                throw new IllegalArgumentException(
                                        "DATABASE_URL target_session_attrs must be read-write,"
                                                + " primary, read-only, standby, prefer-standby or any");
                        };
            case "connect_timeout" -> "connectTimeout=" + value;
            case "application_name" -> "ApplicationName=" + parameter.substring(equals + 1);
            default -> parameter;
        };
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
    }
}
