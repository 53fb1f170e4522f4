package dev.walletledger.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A routed request as handlers see it: decoded path parameters, checked query parameters and the body.
 * {@code keyId} is the id of the API key that authenticated the request: empty on an open route or when
 * the server runs without keys. It is the acting key to record with a write. {@code granted} is what the
 * caller may do: the key's scopes, or every scope when the server runs without keys; none for a player.
 * {@code player} is the user id (NFC) of the player whose token authenticated the request, else empty: a
 * handler of a {@link Route#forPlayers} route that reads by id checks ownership with it, where it reads the
 * data. A player's request never has a {@code keyId}, so no write can take its actor from a token.
 * {@code position} is the request's {@code Wallet-Position} header, or null.
 */
record Call(
        String requestId,
        Optional<String> keyId,
        Set<Scope> granted,
        Optional<String> player,
        Map<String, String> pathParameters,
        Map<String, String> query,
        byte[] body,
        String position) {
    /** Refuses the call (403) unless the caller has {@code scope}; for what one body may hold. */
    void requireScope(Scope scope, String what) {
        if (!granted.contains(scope)) {
            throw new ApiException(
                    HttpErrorCode.FORBIDDEN,
                    what + " needs the " + scope.label() + " scope, which this API key does not have",
                    Map.of("required_scope", scope.label()),
                    Map.of(
                            "WWW-Authenticate",
                            "Bearer realm=\"wallet-ledger\", error=\"insufficient_scope\", scope=\"" + scope.label()
                                    + "\""));
        }
    }

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
            Set<Scope> granted,
            Optional<String> player,
            Map<String, String> path,
            Map<String, List<String>> query,
            byte[] body,
            String position) {
        Map<String, String> single = new java.util.HashMap<>();
        query.forEach((name, values) -> single.put(name, values.get(0)));
        return new Call(
                requestId, keyId, Set.copyOf(granted), player, Map.copyOf(path), Map.copyOf(single), body, position);
    }
}
