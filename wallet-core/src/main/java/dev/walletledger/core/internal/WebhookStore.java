package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.Webhook;
import dev.walletledger.core.WebhookLease;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Webhook subscriptions (V7): adding, reading, removing and resuming them, and the dispatchers' lease, cursor and
 * failure updates. Public, like {@link Engine}, because {@code dev.walletledger.core} is built on it. Every update a
 * dispatcher makes names its lease owner and {@code status = 'ACTIVE'} in its WHERE clause: a node that lost the
 * lease, or a subscription removed meanwhile, changes nothing (zero rows), never throws.
 */
public final class WebhookStore {
    private static final String SERIALIZE_ADDS = "SELECT pg_advisory_xact_lock(hashtext('wallet-ledger:webhooks:add'))";

    private final TransactionRunner runner;
    private final String insert;
    private final String count;
    private final String byId;
    private final String list;
    private final String remove;
    private final String resume;
    private final String lease;
    private final String renew;
    private final String advance;
    private final String failed;
    private final String release;

    public WebhookStore(DataSource dataSource, LedgerConfig config) {
        this.runner = new TransactionRunner(dataSource, config, new Counters());
        SqlText sql = new SqlText(config.schema());
        String columns = "id, url, types, status, delivered, attempts, retrying_since, next_attempt_at, failing_since,"
                + " last_error, last_status, created_at, actor, removed_at";
        this.count = sql.format("SELECT count(*) FROM {schema}.webhook_subscriptions WHERE status <> 'REMOVED'");
        this.insert = sql.format("""
                INSERT INTO {schema}.webhook_subscriptions
                    (id, url, types, secret, delivered, next_attempt_at, created_at, actor)
                VALUES (?, ?, ?, ?, ?, now(), now(), ?)
                RETURNING %s""".formatted(columns));
        this.byId = sql.format("SELECT %s FROM {schema}.webhook_subscriptions WHERE id = ?".formatted(columns));
        this.list = sql.format("""
                SELECT %s FROM {schema}.webhook_subscriptions WHERE status <> 'REMOVED'
                 ORDER BY created_at, id LIMIT ?""".formatted(columns));
        this.remove = sql.format("""
                UPDATE {schema}.webhook_subscriptions
                   SET status = 'REMOVED', removed_at = now(), removed_by = ?, lease_owner = NULL,
                       lease_expires_at = NULL
                 WHERE id = ? AND status <> 'REMOVED'
                RETURNING %s""".formatted(columns));
        // Resume: delivery goes on from the same cursor, now, with a fresh run of attempts.
        this.resume = sql.format("""
                UPDATE {schema}.webhook_subscriptions
                   SET status = 'ACTIVE', failing_since = NULL, attempts = 0, retrying_since = NULL,
                       next_attempt_at = now(), resumed_at = now(), resumed_by = ?
                 WHERE id = ? AND status <> 'REMOVED'
                RETURNING %s""".formatted(columns));
        // SKIP LOCKED: two dispatchers claiming at once take different rows; a row whose lease was taken since
        // the statement's snapshot is re-checked against the WHERE clause by FOR UPDATE, and skipped.
        this.lease = sql.format("""
                UPDATE {schema}.webhook_subscriptions s
                   SET lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond'
                 WHERE s.id IN (SELECT c.id FROM {schema}.webhook_subscriptions c
                                 WHERE c.status = 'ACTIVE' AND c.next_attempt_at <= now() AND c.delivered < ?
                                   AND (c.lease_owner IS NULL OR c.lease_expires_at < now())
                                 ORDER BY c.next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING s.id, s.url, s.types, s.secret, s.delivered, s.attempts, s.retrying_since""");
        this.renew = sql.format("""
                UPDATE {schema}.webhook_subscriptions SET lease_expires_at = now() + ? * interval '1 millisecond'
                 WHERE id = ? AND lease_owner = ? AND status = 'ACTIVE'""");
        this.advance = sql.format("""
                UPDATE {schema}.webhook_subscriptions
                   SET delivered = ?, attempts = 0, retrying_since = NULL, next_attempt_at = now()
                 WHERE id = ? AND lease_owner = ? AND status = 'ACTIVE' AND delivered = ?""");
        // A failed attempt: the next one after the backoff, by whichever node leases it then; or, once the run of
        // failures has lasted the retry window, FAILING (delivery stops until resumed).
        this.failed = sql.format("""
                UPDATE {schema}.webhook_subscriptions
                   SET attempts = attempts + 1, retrying_since = COALESCE(retrying_since, now()),
                       last_error = ?, last_status = ?,
                       status = CASE WHEN now() - COALESCE(retrying_since, now()) >= ? * interval '1 millisecond'
                                     THEN 'FAILING' ELSE 'ACTIVE' END,
                       failing_since = CASE WHEN now() - COALESCE(retrying_since, now()) >= ? * interval '1 millisecond'
                                            THEN now() END,
                       next_attempt_at = now() + ? * interval '1 millisecond',
                       lease_owner = NULL, lease_expires_at = NULL
                 WHERE id = ? AND lease_owner = ? AND status = 'ACTIVE'
                RETURNING status""");
        this.release = sql.format("""
                UPDATE {schema}.webhook_subscriptions SET lease_owner = NULL, lease_expires_at = NULL
                 WHERE id = ? AND lease_owner = ?""");
    }

    public Webhook add(UUID id, String url, Set<String> types, String secret, long after, String actor, int activeMax) {
        return runner.write(
                c -> {
                    // One add at a time (a lock held to the commit, so it works behind a pooler in transaction
                    // mode): the count below then bounds the subscriptions exactly.
                    try (PreparedStatement statement = c.prepareStatement(SERIALIZE_ADDS)) {
                        statement.execute();
                    }
                    try (PreparedStatement statement = c.prepareStatement(count);
                            ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        if (rows.getLong(1) >= activeMax) {
                            throw WalletException.of(
                                    ErrorCode.VALIDATION_FAILED,
                                    "url there are already " + activeMax
                                            + " webhook subscriptions; remove one before adding another",
                                    Map.of("field", "url", "subscriptions_max", activeMax));
                        }
                    }
                    try (PreparedStatement statement = c.prepareStatement(insert)) {
                        statement.setObject(1, id);
                        statement.setString(2, url);
                        statement.setArray(
                                3,
                                c.createArrayOf(
                                        "varchar", types.stream().sorted().toArray()));
                        statement.setString(4, secret);
                        statement.setLong(5, after);
                        statement.setString(6, actor);
                        return one(statement).orElseThrow();
                    }
                },
                0);
    }

    public Optional<Webhook> byId(UUID id) {
        return runner.read(c -> {
            try (PreparedStatement statement = c.prepareStatement(byId)) {
                statement.setObject(1, id);
                return one(statement);
            }
        });
    }

    public List<Webhook> list(int limit) {
        return runner.read(c -> {
            try (PreparedStatement statement = c.prepareStatement(list)) {
                statement.setInt(1, limit);
                List<Webhook> found = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        found.add(webhook(rows));
                    }
                }
                return found;
            }
        });
    }

    /** Removes the subscription; empty when it does not exist or was removed already. */
    public Optional<Webhook> remove(UUID id, String actor) {
        return runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(remove)) {
                        statement.setString(1, actor);
                        statement.setObject(2, id);
                        return one(statement);
                    }
                },
                0);
    }

    /** Resumes the subscription; empty when it does not exist or is removed. */
    public Optional<Webhook> resume(UUID id, String actor) {
        return runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(resume)) {
                        statement.setString(1, actor);
                        statement.setObject(2, id);
                        return one(statement);
                    }
                },
                0);
    }

    public List<WebhookLease> lease(UUID owner, long leaseMillis, long feedEnd, int max) {
        return runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(lease)) {
                        statement.setObject(1, owner);
                        statement.setLong(2, leaseMillis);
                        statement.setLong(3, feedEnd);
                        statement.setInt(4, max);
                        List<WebhookLease> leased = new ArrayList<>();
                        try (ResultSet rows = statement.executeQuery()) {
                            while (rows.next()) {
                                leased.add(new WebhookLease(
                                        rows.getObject("id", UUID.class),
                                        rows.getString("url"),
                                        types(rows),
                                        rows.getString("secret"),
                                        Long.toString(rows.getLong("delivered")),
                                        rows.getInt("attempts"),
                                        instant(rows, "retrying_since")));
                            }
                        }
                        return leased;
                    }
                },
                0);
    }

    public boolean renew(UUID id, UUID owner, long leaseMillis) {
        return update(renew, statement -> {
            statement.setLong(1, leaseMillis);
            statement.setObject(2, id);
            statement.setObject(3, owner);
        });
    }

    public boolean advance(UUID id, UUID owner, long from, long to) {
        return update(advance, statement -> {
            statement.setLong(1, to);
            statement.setObject(2, id);
            statement.setObject(3, owner);
            statement.setLong(4, from);
        });
    }

    public boolean release(UUID id, UUID owner) {
        return update(release, statement -> {
            statement.setObject(1, id);
            statement.setObject(2, owner);
        });
    }

    /** Records a failed attempt; the status after it, or empty when the lease was lost. */
    public Optional<Webhook.Status> failed(
            UUID id, UUID owner, String error, OptionalInt status, long backoffMillis, long windowMillis) {
        return runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(failed)) {
                        statement.setString(1, error.length() > 500 ? error.substring(0, 500) : error);
                        if (status.isPresent()) {
                            statement.setInt(2, status.getAsInt());
                        } else {
                            statement.setNull(2, Types.INTEGER);
                        }
                        statement.setLong(3, windowMillis);
                        statement.setLong(4, windowMillis);
                        statement.setLong(5, backoffMillis);
                        statement.setObject(6, id);
                        statement.setObject(7, owner);
                        try (ResultSet rows = statement.executeQuery()) {
                            return rows.next()
                                    ? Optional.of(Webhook.Status.valueOf(rows.getString(1)))
                                    : Optional.<Webhook.Status>empty();
                        }
                    }
                },
                0);
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private boolean update(String text, Binder binder) {
        return runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(text)) {
                        binder.bind(statement);
                        return statement.executeUpdate() == 1;
                    }
                },
                0);
    }

    private static Optional<Webhook> one(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(webhook(rows)) : Optional.empty();
        }
    }

    private static Webhook webhook(ResultSet rows) throws SQLException {
        int lastStatus = rows.getInt("last_status");
        boolean noStatus = rows.wasNull();
        return new Webhook(
                rows.getObject("id", UUID.class),
                rows.getString("url"),
                types(rows),
                Webhook.Status.valueOf(rows.getString("status")),
                Long.toString(rows.getLong("delivered")),
                rows.getInt("attempts"),
                instant(rows, "retrying_since"),
                rows.getObject("next_attempt_at", OffsetDateTime.class).toInstant(),
                instant(rows, "failing_since"),
                Optional.ofNullable(rows.getString("last_error")),
                noStatus ? OptionalInt.empty() : OptionalInt.of(lastStatus),
                rows.getObject("created_at", OffsetDateTime.class).toInstant(),
                Optional.ofNullable(rows.getString("actor")),
                instant(rows, "removed_at"),
                Optional.empty());
    }

    private static Set<String> types(ResultSet rows) throws SQLException {
        return Set.copyOf(Arrays.asList((String[]) rows.getArray("types").getArray()));
    }

    private static Optional<Instant> instant(ResultSet rows, String column) throws SQLException {
        return Optional.ofNullable(rows.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }
}
