package dev.walletledger.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A routed request as handlers see it: decoded path parameters, checked query parameters and the body.
 * {@code keyId} is the id of the API key that authenticated the request: empty on an open route or when
 * the server runs without keys. It is the acting key to record with a write.
 */
record Call(
        String requestId,
        Optional<String> keyId,
        Map<String, String> pathParameters,
        Map<String, String> query,
        byte[] body) {
    String path(String name) {
        return pathParameters.get(name);
    }

    /** A query parameter, or null when absent ({@link RouteTable#query} refuses empty values). */
    String query(String name) {
        return query.get(name);
    }

    static Call of(
            String requestId,
            Optional<String> keyId,
            Map<String, String> path,
            Map<String, List<String>> query,
            byte[] body) {
        Map<String, String> single = new java.util.HashMap<>();
        query.forEach((name, values) -> single.put(name, values.get(0)));
        return new Call(requestId, keyId, Map.copyOf(path), Map.copyOf(single), body);
    }
}
