package dev.walletledger.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link Ledger} runs. Validated when built; change fields with the {@code with…} methods.
 *
 * @param schema            the PostgreSQL schema holding the ledger's tables ({@code wallet})
 * @param isolation         the isolation level of write transactions ({@code READ_COMMITTED}, see wallet-core/README.md)
 * @param attemptsMax       how many times one database transaction is tried before {@code BUSY} (1-100, 10)
 * @param backoffBaseMillis first retry backoff; doubles per attempt with full jitter (0-10,000, 2)
 * @param backoffMaxMillis  the largest backoff (0-60,000, 200)
 * @param lanes             committer threads that group concurrent single operations into shared
 *                          transactions (0 turns coalescing off; 0-64, 4); each uses one pooled
 *                          connection while it commits, so the pool needs more than this many
 * @param batchSizeMax      the most operations one coalesced transaction holds (1-5,000, 500)
 * @param queueMax          the most single operations waiting for a lane; beyond it {@code BUSY} (1-1,000,000, 10,000)
 * @param waitMillisMax     the answer deadline of a read or write (1-600,000, 10,000): a coalesced caller waits
 *                          this long for its commit; a read or a direct write starts no retry after it and
 *                          has its socket reads cut at it. Then {@code STORAGE_UNAVAILABLE}: a write may still
 *                          have applied, so it is sent again with the same reference id. Waiting for a pooled
 *                          connection can add the pool's own timeout. Snapshot reads (verify) have no deadline.
 * @param listener          retry and commit hooks ({@link LedgerListener#NONE})
 */
public record LedgerConfig(
        String schema,
        IsolationLevel isolation,
        int attemptsMax,
        long backoffBaseMillis,
        long backoffMaxMillis,
        int lanes,
        int batchSizeMax,
        int queueMax,
        long waitMillisMax,
        LedgerListener listener) {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public LedgerConfig {
        Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.matcher(schema).matches()) {
            throw WalletException.invalid("schema", "must be a lower-case SQL identifier of at most 63 characters");
        }
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(listener, "listener");
        requireRange("attemptsMax", attemptsMax, 1, 100);
        requireRange("backoffBaseMillis", backoffBaseMillis, 0, 10_000);
        requireRange("backoffMaxMillis", backoffMaxMillis, backoffBaseMillis, 60_000);
        requireRange("lanes", lanes, 0, 64);
        requireRange("batchSizeMax", batchSizeMax, 1, Batch.SIZE_MAX);
        requireRange("queueMax", queueMax, 1, 1_000_000);
        requireRange("waitMillisMax", waitMillisMax, 1, 600_000);
    }

    public static LedgerConfig defaults() {
        return new LedgerConfig(
                "wallet", IsolationLevel.READ_COMMITTED, 10, 2, 200, 4, 500, 10_000, 10_000, LedgerListener.NONE);
    }

    public LedgerConfig withSchema(String schema) {
        return new LedgerConfig(
                schema,
                isolation,
                attemptsMax,
                backoffBaseMillis,
                backoffMaxMillis,
                lanes,
                batchSizeMax,
                queueMax,
                waitMillisMax,
                listener);
    }

    public LedgerConfig withIsolation(IsolationLevel isolation) {
        return new LedgerConfig(
                schema,
                isolation,
                attemptsMax,
                backoffBaseMillis,
                backoffMaxMillis,
                lanes,
                batchSizeMax,
                queueMax,
                waitMillisMax,
                listener);
    }

    public LedgerConfig withRetries(int attemptsMax, long backoffBaseMillis, long backoffMaxMillis) {
        return new LedgerConfig(
                schema,
                isolation,
                attemptsMax,
                backoffBaseMillis,
                backoffMaxMillis,
                lanes,
                batchSizeMax,
                queueMax,
                waitMillisMax,
                listener);
    }

    /** Coalescing of concurrent single operations; {@code lanes} 0 turns it off. */
    public LedgerConfig withCoalescing(int lanes, int batchSizeMax, int queueMax, long waitMillisMax) {
        return new LedgerConfig(
                schema,
                isolation,
                attemptsMax,
                backoffBaseMillis,
                backoffMaxMillis,
                lanes,
                batchSizeMax,
                queueMax,
                waitMillisMax,
                listener);
    }

    public LedgerConfig withListener(LedgerListener listener) {
        return new LedgerConfig(
                schema,
                isolation,
                attemptsMax,
                backoffBaseMillis,
                backoffMaxMillis,
                lanes,
                batchSizeMax,
                queueMax,
                waitMillisMax,
                listener);
    }

    public boolean coalescing() {
        return lanes > 0;
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw WalletException.invalid(name, "must be from " + min + " to " + max + ", got " + value);
        }
    }
}
