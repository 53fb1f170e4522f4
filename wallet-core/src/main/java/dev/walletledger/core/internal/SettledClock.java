package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Makes "the ledger as of moment T" a fixed answer while writers are active, without taking a lock. The reads of
 * the past ({@code Ledger.balanceAt} and the reports) run this, on their connection, before their own statement.
 *
 * <p>Why: a writer dates its transaction by {@code clock_timestamp()} once it holds every lock it needs, and
 * commits a moment later. A reader asking for T just past could run between the two: it would not see a
 * transaction dated at or before T that commits right after, and the same question asked again would get another
 * answer. So, each step a statement of its own:
 *
 * <ol>
 *   <li>read the database's clock, {@code now}: T must not be after it (a later T is {@code VALIDATION_FAILED});
 *   <li>list the transactions running now: each holds the lock on its own transaction id from the moment it gets
 *       one ({@code pg_locks}, {@code transactionid}, {@code ExclusiveLock});
 *   <li>wait until none of them holds it any more, polling, for at most {@link #WAIT_MILLIS_MAX} ms in all; past
 *       that, {@code BUSY}. A transaction lets go of that lock only after it left the list of running transactions
 *       that snapshots are made from, so every snapshot taken after sees it finished.
 * </ol>
 *
 * <p>Then the caller's read, in a fresh statement (or snapshot transaction), sees every transaction dated at or
 * before T: a writer gets its transaction id (claiming its references, locking its wallets) before it reads its
 * clock, so one dated at or before T ≤ {@code now} had its id, and its lock, before step 2: it had committed
 * already, or was listed and waited for. Any other writer dates itself after {@code now}, so after T. The wait
 * covers every transaction of the server running at step 2, the ledger's or not: a long one elsewhere makes these
 * reads {@code BUSY} until it ends.
 *
 * <p>Not the in-progress list of {@code pg_current_snapshot()}: a snapshot lists only transaction ids below the
 * latest one to complete, so a writer with a newer id, running, is in no list (the concurrency test of {@code
 * ReportsTest} caught that). Nor {@code pg_xact_status(xid) <> 'in progress'}: the commit log marks a transaction
 * committed a moment before it leaves the running list, and in that moment a new snapshot still does not see it.
 */
final class SettledClock {
    /** The longest the writers in flight are waited for. */
    static final long WAIT_MILLIS_MAX = 5_000;
    /** The first pause between two looks, doubled up to {@link #POLL_MILLIS_MAX}. */
    private static final long POLL_MILLIS_MIN = 1;

    private static final long POLL_MILLIS_MAX = 50;

    private static final String CLOCK = "SELECT clock_timestamp() AS now";
    /** The transactions running: each holds the lock on its own id, granted, exclusive. */
    private static final String RUNNING = """
            SELECT l.transactionid::text AS xid FROM pg_locks l
             WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
            """;
    /** Those of the given ones still running. */
    private static final String STILL_RUNNING = """
            SELECT l.transactionid::text AS xid FROM pg_locks l
             WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
               AND l.transactionid::text = ANY (?::text[])
            """;

    private SettledClock() {}

    /**
     * Checks that {@code moment} ({@code field} in the request) is not after the database's clock, then waits until
     * every transaction that could still date itself at or before it has finished. Returns the clock read.
     */
    static Instant settle(Connection connection, String field, Instant moment) throws SQLException {
        Instant now = clock(connection);
        if (moment.isAfter(now)) {
            throw WalletException.invalid(field, "is in the future: " + moment + " is after the ledger's clock " + now);
        }
        List<String> pending = running(connection, RUNNING, null);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS_MAX);
        long pause = POLL_MILLIS_MIN;
        while (!pending.isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                throw WalletException.of(
                        ErrorCode.BUSY,
                        "writes in flight did not finish within " + WAIT_MILLIS_MAX + " ms; try again",
                        Map.of("transactions_in_progress", pending.size()));
            }
            sleep(pause);
            pause = Math.min(POLL_MILLIS_MAX, pause * 2);
            pending = running(connection, STILL_RUNNING, pending);
        }
        return now;
    }

    private static Instant clock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(CLOCK);
                ResultSet row = statement.executeQuery()) {
            Invariants.require(row.next(), "a clock reading has one row");
            return row.getObject("now", OffsetDateTime.class).toInstant();
        }
    }

    /** The transaction ids the query answers; {@code among} bound as its parameter when not null. */
    private static List<String> running(Connection connection, String sql, List<String> among) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (among != null) {
                statement.setArray(1, connection.createArrayOf("text", among.toArray(new String[0])));
            }
            List<String> xids = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) { // one per running transaction (and subtransaction): bounded by the server's
                    // connections
                    xids.add(rows.getString("xid"));
                }
            }
            return xids;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE, "interrupted while waiting for writes in flight", Map.of(), e);
        }
    }
}
