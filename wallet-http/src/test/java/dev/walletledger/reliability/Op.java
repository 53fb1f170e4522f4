package dev.walletledger.reliability;

import java.util.ArrayList;
import java.util.List;

/**
 * One operation of the shared history format: invoked once, then any number of attempts with the same
 * reference id (the idempotency key), each {@code ok}, {@code fail} or {@code info} (in doubt), until it
 * is settled or the attempts run out. Mutated only by the client thread that runs it.
 */
final class Op {
    enum Type {
        TOPUP,
        BONUS,
        SPEND
    }

    /** What one attempt got back. */
    enum Attempt {
        CREATED("ok"),
        REPLAYED("ok"),
        REFUSED("fail"),
        UNAVAILABLE("info"),
        NO_ANSWER("info"),
        UNEXPECTED("fail");

        final String history;

        Attempt(String history) {
            this.history = history;
        }
    }

    /** Where the operation ended from the client's point of view. */
    enum Status {
        PENDING,
        ACKNOWLEDGED,
        REFUSED,
        IN_DOUBT,
        UNEXPECTED
    }

    final String key;
    final Type type;
    final String user;
    final long amount;
    final List<Attempt> attempts = new ArrayList<>(4);
    Status status = Status.PENDING;
    /** The acknowledged body (201 or 200), kept to compare with a later replay. */
    byte[] body;

    String unexpected;
    long invokedNanos;
    long settledNanos;

    Op(String key, Type type, String user, long amount) {
        this.key = key;
        this.type = type;
        this.user = user;
        this.amount = amount;
    }

    /** Signed effect on the user's balance when applied. */
    long effect() {
        return type == Type.SPEND ? -amount : amount;
    }

    boolean hadInfo() {
        return attempts.stream().anyMatch(a -> a.history.equals("info"));
    }

    String path() {
        return switch (type) {
            case TOPUP -> "/api/v1/wallets/topup";
            case BONUS -> "/api/v1/wallets/bonus";
            case SPEND -> "/api/v1/wallets/spend";
        };
    }

    String json(String asset) {
        return "{\"user_id\":\"" + user + "\",\"asset_code\":\"" + asset + "\",\"amount\":" + amount
                + ",\"reference_id\":\"" + key + "\"}";
    }

    /** invoke + each attempt, in the history format (for failure messages). */
    String history() {
        StringBuilder out = new StringBuilder("invoke " + type + " " + user + " " + amount + " key=" + key);
        for (Attempt attempt : attempts) {
            out.append(" | ")
                    .append(attempt.history)
                    .append('(')
                    .append(attempt)
                    .append(')');
        }
        return out.append(" => ").append(status).toString();
    }
}
