package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Position;
import dev.walletledger.core.ReadSource;
import dev.walletledger.core.Routed;
import dev.walletledger.core.WalletException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends reads to a read replica when one is configured, and to the primary otherwise or when the replica
 * cannot serve them:
 *
 * <ul>
 *   <li>a read with a {@link Position} goes to the replica only if the replica has replayed the log that
 *       far (checked on the connection that then reads, so the read sees at least that much); else to the
 *       primary, counted as {@code behind};
 *   <li>a read without one takes the replica as it is: stale by the replica's replay lag;
 *   <li>a replica that fails or does not answer within its wait sends the read to the primary, counted as
 *       {@code unavailable}, and is left alone for {@link #RESTING_MILLIS} so that reads do not each wait
 *       for a dead host.
 * </ul>
 */
final class ReadRouter {
    /** How long a failed replica is passed over before it is tried again. */
    public static final long RESTING_MILLIS = 5_000;

    /**
     * Only a standby replaying the primary's log can prove it holds a position. A server that is not in
     * recovery (a promoted ex-standby, a restored copy given by mistake) has a log of its own, whose
     * positions say nothing about the primary's: it is treated as behind.
     */
    private static final String CAUGHT_UP = """
            SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= ?::pg_lsn
            """;

    private final TransactionRunner primary;
    private final TransactionRunner replica; // null: every read on the primary
    private final long replicaWaitMillis;
    private final LongAdder fromReplica = new LongAdder();
    private final LongAdder behind = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private volatile long restingUntil = System.nanoTime();

    public ReadRouter(TransactionRunner primary, TransactionRunner replica, long replicaWaitMillis) {
        this.primary = primary;
        this.replica = replica;
        this.replicaWaitMillis = replicaWaitMillis;
    }

    public boolean hasReplica() {
        return replica != null;
    }

    /** @param after null, or the position the replica must have replayed to serve the read */
    public <T> Routed<T> read(Position after, TransactionRunner.Work<T> work, boolean snapshot) {
        if (replica != null) {
            if (System.nanoTime() - restingUntil < 0) {
                unavailable.increment();
            } else {
                try {
                    Optional<T> served = replica.readOnceIf(
                            c -> after == null || caughtUp(c, after), work, snapshot, replicaWaitMillis);
                    if (served.isPresent()) {
                        fromReplica.increment();
                        return new Routed<>(served.get(), ReadSource.REPLICA);
                    }
                    behind.increment();
                } catch (WalletException e) {
                    if (e.code() != ErrorCode.STORAGE_UNAVAILABLE
                            && e.code() != ErrorCode.BUSY
                            && e.code() != ErrorCode.INTERNAL_ERROR) {
                        throw e; // the replica's answer (not found, a bad cursor): the primary's would match it
                    }
                    // BUSY: a query cancelled by a conflict with recovery. STORAGE_UNAVAILABLE: down or slow.
                    // INTERNAL_ERROR: the replica refused the SQL (a statement_timeout, missing grants, a schema
                    // it has not replayed yet): the primary answers, and the replica rests.
                    if (e.code() != ErrorCode.BUSY) {
                        restingUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTING_MILLIS);
                    }
                    unavailable.increment();
                }
            }
        }
        return new Routed<>(snapshot ? primary.snapshot(work) : primary.read(work), ReadSource.PRIMARY);
    }

    /** The replica's replay lag behind {@code primaryNow}, in bytes; empty when it did not answer. */
    public java.util.OptionalLong lagBytes(Position primaryNow) {
        try {
            return replica.readOnce(
                    c -> {
                        try (PreparedStatement statement = c.prepareStatement(
                                "SELECT pg_wal_lsn_diff(?::pg_lsn, pg_last_wal_replay_lsn())::int8")) {
                            statement.setString(1, primaryNow.lsn());
                            try (ResultSet row = statement.executeQuery()) {
                                row.next();
                                long lag = row.getLong(1);
                                return row.wasNull()
                                        ? java.util.OptionalLong.empty()
                                        : java.util.OptionalLong.of(Math.max(0, lag)); // past it: replayed since
                            }
                        }
                    },
                    replicaWaitMillis);
        } catch (WalletException e) {
            return java.util.OptionalLong.empty();
        }
    }

    private static boolean caughtUp(java.sql.Connection connection, Position after) throws java.sql.SQLException {
        try (PreparedStatement statement = connection.prepareStatement(CAUGHT_UP)) {
            statement.setString(1, after.lsn());
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    public long fromReplica() {
        return fromReplica.sum();
    }

    public long behind() {
        return behind.sum();
    }

    public long unavailable() {
        return unavailable.sum();
    }
}
