package dev.walletledger.http;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API key may do. The scopes are independent: {@code admin} does not imply {@code read} or
 * {@code write}, so a metrics scraper's key cannot read balances or move money. A route names the scopes that
 * open it ({@link Route#scopes()}): any one of them suffices.
 *
 * <p>{@code support} is the operator console's: what a support agent needs to look into a player's wallet and
 * put a mistake right (every read, reversals, chargebacks, adjustments, voids, wallet controls, the finance
 * reports), and nothing that moves money on the game's behalf (top-ups, spends, transfers, holds, batches) or
 * shows every wallet's changes or the server's internals (the event feed, webhooks, /metrics).
 *
 * <p>What each grants is {@link #grants()}: the README's scope table and {@code wallet keys generate --help}
 * say it in those words, and {@code ScopeTableTest} holds both to the route table.
 */
public enum Scope {
    READ("balances (now and at a moment), lots, history, transactions, hold reads, user search, assets,"
            + " openapi.json"),
    WRITE("top-ups, bonuses, spends, transfers, reversals, chargebacks, holds, captures, voids, batches (the same"
            + " operations under the same rules)"),
    ADMIN("adjustments (alone or in a batch), finance reports (outstanding, activity), the event feed (every"
            + " wallet's changes), wallet controls (freeze, close, limits: set, read, past changes), webhook"
            + " subscriptions (add, list, read, remove, resume), verify runs and anchors, /metrics (the server's"
            + " internals)"),
    SUPPORT("balances (now and at a moment), lots, history, transactions, hold reads, user search, assets,"
            + " openapi.json (what read opens), reversals, chargebacks, adjustments (alone), voids, finance reports"
            + " (outstanding, activity), wallet controls (freeze, close, limits: set, read, past changes)");

    private final String grants;

    Scope(String grants) {
        this.grants = grants;
    }

    /** The routes the scope opens, in words. */
    public String grants() {
        return grants;
    }

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
                case "support" -> SUPPORT;
                default ->
                    throw new IllegalArgumentException("unknown scope \"" + RouteTable.shorten(name)
                            + "\" (scopes are read, write, admin, support, separated by commas)");
            };
            if (!scopes.add(scope)) {
                throw new IllegalArgumentException("scope " + scope.label() + " is listed twice");
            }
        }
        return scopes;
    }

    /** The scopes that open a route: any one of them. Empty: the route is open. */
    public static Set<Scope> anyOf(Scope... scopes) {
        Set<Scope> set = EnumSet.noneOf(Scope.class);
        set.addAll(java.util.Arrays.asList(scopes));
        return java.util.Collections.unmodifiableSet(set);
    }

    /** {@code "read,write"}, in declaration order. */
    public static String format(Set<Scope> scopes) {
        return String.join(",", scopes.stream().sorted().map(Scope::label).toList());
    }
}
