package dev.walletledger.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the route table: a method, a path template whose {@code {name}} segments are parameters,
 * the query parameters it accepts, whether it reads a JSON body, and the scope an API key needs for it
 * (empty: open to anyone, even when keys are configured).
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
        Optional<Scope> scope,
        Handler handler) {
    Route {
        queryParameters = List.copyOf(queryParameters);
        Objects.requireNonNull(scope, "scope");
        if (ignoresQuery && !queryParameters.isEmpty()) {
            throw new IllegalArgumentException(template + ": a route that ignores its query takes no parameters");
        }
    }

    /** A POST route that reads a JSON body and takes no query parameters. */
    static Route post(String template, Optional<Scope> scope, Handler handler) {
        return new Route("POST", template, List.of(), false, true, scope, handler);
    }

    /** A DELETE route without body or query parameters. */
    static Route delete(String template, Optional<Scope> scope, Handler handler) {
        return new Route("DELETE", template, List.of(), false, false, scope, handler);
    }

    /** A POST route that takes no body (an action on what the path names) and no query parameters. */
    static Route action(String template, Optional<Scope> scope, Handler handler) {
        return new Route("POST", template, List.of(), false, false, scope, handler);
    }

    /** A PUT route that reads a JSON body and takes these query parameters: it sets what the path and query name. */
    static Route put(String template, List<String> queryParameters, Optional<Scope> scope, Handler handler) {
        return new Route("PUT", template, queryParameters, false, true, scope, handler);
    }

    /** A GET route that takes these query parameters (none: any query parameter is refused). */
    static Route get(String template, List<String> queryParameters, Optional<Scope> scope, Handler handler) {
        return new Route("GET", template, queryParameters, false, false, scope, handler);
    }

    /** A GET route without parameters that ignores whatever query string it is sent. */
    static Route ignoringQuery(String template, Optional<Scope> scope, Handler handler) {
        return new Route("GET", template, List.of(), true, false, scope, handler);
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
