package dev.walletledger.http;

import java.util.List;

/**
 * One entry of the route table: a method, a path template whose {@code {name}} segments are parameters,
 * the query parameters it accepts, and whether it reads a JSON body.
 */
record Route(String method, String template, List<String> queryParameters, boolean readsBody, Handler handler) {
    Route {
        queryParameters = List.copyOf(queryParameters);
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
