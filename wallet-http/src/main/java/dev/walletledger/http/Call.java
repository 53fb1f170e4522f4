package dev.walletledger.http;

import java.util.List;
import java.util.Map;

/** A routed request as handlers see it: decoded path parameters, checked query parameters and the body. */
record Call(String requestId, Map<String, String> pathParameters, Map<String, String> query, byte[] body) {
    String path(String name) {
        return pathParameters.get(name);
    }

    /** A query parameter, or null when absent or empty. */
    String query(String name) {
        String value = query.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    static Call of(String requestId, Map<String, String> path, Map<String, List<String>> query, byte[] body) {
        Map<String, String> single = new java.util.HashMap<>();
        query.forEach((name, values) -> single.put(name, values.get(0)));
        return new Call(requestId, Map.copyOf(path), Map.copyOf(single), body);
    }
}
