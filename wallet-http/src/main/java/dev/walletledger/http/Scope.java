package dev.walletledger.http;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API key may do. The scopes are independent: {@code admin} does not imply {@code read} or
 * {@code write}, so a metrics scraper's key cannot read balances or move money.
 *
 * <ul>
 *   <li>{@code read}: balances, history, transactions, assets, the OpenAPI document;</li>
 *   <li>{@code write}: top-up, bonus, spend and batch (a batch is the same operations under the same rules);</li>
 *   <li>{@code admin}: operator endpoints ({@code /metrics}).</li>
 * </ul>
 */
public enum Scope {
    READ,
    WRITE,
    ADMIN;

    /** The name in key files and error bodies: {@code read}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code "read,write"} to a set; refuses unknown names, empty lists and repeats. */
    public static Set<Scope> parseList(String text) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : text.split(",", -1)) {
            Scope scope = switch (name.strip()) {
                case "read" -> READ;
                case "write" -> WRITE;
                case "admin" -> ADMIN;
                default ->
                    throw new IllegalArgumentException("unknown scope \"" + RouteTable.shorten(name)
                            + "\" (scopes are read, write, admin, separated by commas)");
            };
            if (!scopes.add(scope)) {
                throw new IllegalArgumentException("scope " + scope.label() + " is listed twice");
            }
        }
        return scopes;
    }

    /** {@code "read,write"}, in declaration order. */
    public static String format(Set<Scope> scopes) {
        return String.join(",", scopes.stream().sorted().map(Scope::label).toList());
    }
}
