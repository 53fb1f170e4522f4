package dev.walletledger.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link Ledger} runs. Validated when built; change one field with the {@code with…} methods.
 *
 * @param schema            the PostgreSQL schema holding the ledger's tables ({@code wallet})
 * @param isolation         the isolation level of write transactions ({@code READ_COMMITTED}, see README)
 * @param attemptsMax       how many times one database transaction is tried before {@code BUSY} (1-100, 10)
 * @param backoffBaseMillis first retry backoff; doubles per attempt with full jitter (0-10,000, 2)
 * @param backoffMaxMillis  the largest backoff (0-60,000, 200)
 * @param listener          retry and commit hooks ({@link LedgerListener#NONE})
 */
public record LedgerConfig(String schema, IsolationLevel isolation, int attemptsMax, long backoffBaseMillis,
                           long backoffMaxMillis, LedgerListener listener) {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public LedgerConfig {
        Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.matcher(schema).matches()) {
            throw Checks.invalid("schema", "must be a lower-case SQL identifier of at most 63 characters");
        }
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(listener, "listener");
        requireRange("attemptsMax", attemptsMax, 1, 100);
        requireRange("backoffBaseMillis", backoffBaseMillis, 0, 10_000);
        requireRange("backoffMaxMillis", backoffMaxMillis, backoffBaseMillis, 60_000);
    }

    public static LedgerConfig defaults() {
        return new LedgerConfig("wallet", IsolationLevel.READ_COMMITTED, 10, 2, 200, LedgerListener.NONE);
    }

    public LedgerConfig withSchema(String schema) {
        return new LedgerConfig(schema, isolation, attemptsMax, backoffBaseMillis, backoffMaxMillis, listener);
    }

    public LedgerConfig withIsolation(IsolationLevel isolation) {
        return new LedgerConfig(schema, isolation, attemptsMax, backoffBaseMillis, backoffMaxMillis, listener);
    }

    public LedgerConfig withRetries(int attemptsMax, long backoffBaseMillis, long backoffMaxMillis) {
        return new LedgerConfig(schema, isolation, attemptsMax, backoffBaseMillis, backoffMaxMillis, listener);
    }

    public LedgerConfig withListener(LedgerListener listener) {
        return new LedgerConfig(schema, isolation, attemptsMax, backoffBaseMillis, backoffMaxMillis, listener);
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw Checks.invalid(name, "must be from " + min + " to " + max + ", got " + value);
        }
    }
}
