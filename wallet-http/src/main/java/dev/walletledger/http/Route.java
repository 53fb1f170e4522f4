package dev.walletledger.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the route table: a method, a path template whose {@code {name}} segments are parameters,
 * the query parameters it accepts, whether it reads a JSON body, and the scope an API key needs for it
 * (empty: open to anyone, even when keys are configured).
 */
record Route(String method, String template, List<String> queryParameters, boolean readsBody,
             Optional<Scope> scope, Handler handler) {
    Route {
        queryParameters = List.copyOf(queryParameters);
        Objects.requireNonNull(scope, "scope");
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
