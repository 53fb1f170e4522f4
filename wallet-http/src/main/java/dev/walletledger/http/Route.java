package dev.walletledger.http;

import java.util.List;
import java.util.Set;

/**
 * One entry of the route table: a method, a path template whose {@code {name}} segments are parameters,
 * the query parameters it accepts, whether it reads a JSON body, the scopes that open it to an API key (any
 * one of them; empty: open to anyone, even when keys are configured), and whether a player token may read it.
 *
 * <p>{@code players}: the route is one of a player's own reads ({@link #forPlayers}). A player token opens no
 * other route. When the path names a {@code {user_id}}, the pipeline checks it is the token's player; a route
 * without one (a transaction or a hold by id) checks ownership in its handler, where the data is read
 * ({@link Call#player()}).
 *
 * <p>A route with query parameters refuses any other name and any empty value: a misspelled or empty
 * {@code asset_code} must not silently widen the answer. A route built with {@link #ignoringQuery} takes
 * none and ignores the whole query string, because the tools that probe it (load balancers, uptime
 * monitors, cache-busters) add their own.
 */
record Route(
        String method,
        String template,
        List<String> queryParameters,
        boolean ignoresQuery,
        boolean readsBody,
        Set<Scope> scopes,
        boolean players,
        Handler handler) {
    Route {
        queryParameters = List.copyOf(queryParameters);
        scopes = Set.copyOf(scopes);
        if (players && (!method.equals("GET") || scopes.isEmpty())) {
            throw new IllegalArgumentException(template + ": a player token opens only GETs of routes that need a key");
        }
        if (ignoresQuery && !queryParameters.isEmpty()) {
            throw new IllegalArgumentException(template + ": a route that ignores its query takes no parameters");
        }
    }

    /** A POST route that reads a JSON body and takes no query parameters. */
    static Route post(String template, Set<Scope> scopes, Handler handler) {
        return new Route("POST", template, List.of(), false, true, scopes, false, handler);
    }

    /** A DELETE route without body or query parameters. */
    static Route delete(String template, Set<Scope> scopes, Handler handler) {
        return new Route("DELETE", template, List.of(), false, false, scopes, false, handler);
    }

    /** A POST route that takes no body (an action on what the path names) and no query parameters. */
    static Route action(String template, Set<Scope> scopes, Handler handler) {
        return new Route("POST", template, List.of(), false, false, scopes, false, handler);
    }

    /** A PUT route that reads a JSON body and takes these query parameters: it sets what the path and query name. */
    static Route put(String template, List<String> queryParameters, Set<Scope> scopes, Handler handler) {
        return new Route("PUT", template, queryParameters, false, true, scopes, false, handler);
    }

    /** A GET route that takes these query parameters (none: any query parameter is refused). */
    static Route get(String template, List<String> queryParameters, Set<Scope> scopes, Handler handler) {
        return new Route("GET", template, queryParameters, false, false, scopes, false, handler);
    }

    /** A GET route without parameters that ignores whatever query string it is sent. */
    static Route ignoringQuery(String template, Set<Scope> scopes, Handler handler) {
        return new Route("GET", template, List.of(), true, false, scopes, false, handler);
    }

    /** This route, readable with a player token too (for the token's own player only). */
    Route forPlayers() {
        return new Route(method, template, queryParameters, ignoresQuery, readsBody, scopes, true, handler);
    }

    /** Open to anyone: no key needed, even when keys are configured. */
    boolean open() {
        return scopes.isEmpty();
    }

    /** The metrics label and log field: {@code "POST /api/v1/wallets/topup"}. */
    String name() {
        return method + " " + template;
    }

    List<String> segments() {
        return RouteTable.split(template);
    }

    @FunctionalInterface
    interface Handler {
        HttpResponse handle(Call call);
    }
}
