package dev.walletledger.core.internal;

import dev.walletledger.core.ControlsChange;
import dev.walletledger.core.Event;
import dev.walletledger.core.WalletControls;
import dev.walletledger.core.WalletStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Wallet controls (V6): the controls in force on each wallet's main account, and the append-only record of every
 * change. A change locks the main account (creating it, empty, when the wallet has none yet), the lock every write
 * of the wallet takes first: a change and a write never overlap, so no write decides on controls that changed
 * meanwhile. A change that changes nothing records nothing (setting the same controls twice is one change).
 */
final class ControlStore {
    /** The most changes a history read returns, newest first. */
    static final int HISTORY_MAX = 1_000;

    private final String createMain;
    private final String lockMain;
    private final String spentToday;
    private final String record;
    private final String apply;
    private final String current;
    private final String changes;
    private final String history;

    ControlStore(SqlText sql) {
        this.createMain = sql.format("""
                INSERT INTO {schema}.wallets (kind, owner_id, asset_id, account, balance)
                VALUES ('USER', ?, ?, 'main', 0)
                ON CONFLICT (kind, owner_id, asset_id, account) DO NOTHING
                """);
        this.lockMain = sql.format("""
                SELECT id, status, max_balance, daily_spend_limit, spent_on, spent, clock_timestamp() AS now
                  FROM {schema}.wallets
                 WHERE kind = 'USER' AND owner_id = ? AND asset_id = ? AND account = 'main'
                   FOR UPDATE
                """);
        // What the wallet spent on the day, from the entries: its debits (held coins aside) by spends, transfers out
        // and holds dated that day. Read when a daily limit is set where there was none, under the main lock.
        this.spentToday = sql.format("""
                SELECT COALESCE(sum(e.amount), 0) AS spent
                  FROM {schema}.wallets w
                  JOIN {schema}.ledger_entries e ON e.wallet_id = w.id
                  JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ? AND w.account <> 'held'
                   AND e.direction = 'DEBIT' AND t.type IN ('SPEND', 'TRANSFER', 'HOLD')
                   AND t.created_at >= ? AND t.created_at < ?
                """);
        // The record and its event in one statement (V6 refuses a record without its event).
        this.record = sql.format("""
                WITH change AS (
                    INSERT INTO {schema}.ledger_controls (owner_id, asset_id, status, max_balance, daily_spend_limit,
                                reason, actor, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    RETURNING id, created_at
                ), event AS (
                    INSERT INTO {schema}.ledger_events (control_id, type, created_at)
                    SELECT id, ?, created_at FROM change
                    RETURNING 1
                )
                SELECT c.id, (SELECT count(*) FROM event) AS events FROM change c
                """);
        // A statement of its own, after the record's: V6's trigger checks the wallet against its latest record.
        this.apply = sql.format("""
                UPDATE {schema}.wallets
                   SET status = ?, max_balance = ?, daily_spend_limit = ?, spent_on = ?, spent = ?, control_id = ?
                 WHERE id = ?
                """);
        this.current = sql.format("""
                SELECT w.status, w.max_balance, w.daily_spend_limit,
                       CASE WHEN w.spent_on = (now() AT TIME ZONE 'UTC')::date THEN w.spent ELSE 0 END AS spent_today,
                       c.id AS change_id, c.reason, c.actor, c.created_at
                  FROM {schema}.wallets w
                  LEFT JOIN {schema}.ledger_controls c ON c.id = w.control_id
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ? AND w.account = 'main'
                """);
        String columns = """
                SELECT c.id AS change_id, c.owner_id, a.code AS asset_code, c.status, c.max_balance,
                       c.daily_spend_limit, 0 AS spent_today, c.reason, c.actor, c.created_at
                  FROM {schema}.ledger_controls c
                  JOIN {schema}.asset_types a ON a.id = c.asset_id
                """;
        this.changes = sql.format(columns + " WHERE c.id = ANY (?::int8[])");
        this.history = sql.format(
                columns + " WHERE c.owner_id = ? AND c.asset_id = ? ORDER BY c.id DESC LIMIT " + HISTORY_MAX);
    }

    /** The controls in force on the wallet: none set when it has no main account or never had a change. */
    WalletControls current(Connection connection, String userId, AssetDirectory.AssetRow asset) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(current)) {
            statement.setString(1, userId);
            statement.setInt(2, asset.id());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return WalletControls.none(userId, asset.asset().code());
                }
                return controls(rows, userId, asset.asset().code());
            }
        }
    }

    /** The changes among these ids, by id (spentToday 0: a change is not a day's count). */
    Map<Long, WalletControls> changes(Connection connection, Set<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<Long, WalletControls> found = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(changes)) {
            statement.setArray(1, connection.createArrayOf("int8", ids.toArray(new Long[0])));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.put(
                            rows.getLong("change_id"),
                            controls(rows, rows.getString("owner_id"), rows.getString("asset_code")));
                }
            }
        }
        return found;
    }

    /** The wallet's changes, newest first, at most {@link #HISTORY_MAX}. */
    List<WalletControls> history(Connection connection, String userId, AssetDirectory.AssetRow asset)
            throws SQLException {
        List<WalletControls> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(history)) {
            statement.setString(1, userId);
            statement.setInt(2, asset.id());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(controls(rows, userId, asset.asset().code()));
                }
            }
        }
        return found;
    }

    /** Applies a change under the main account's lock; returns the controls in force after it. */
    WalletControls set(Connection connection, ControlsChange change, AssetDirectory.AssetRow asset, String actor)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(createMain)) {
            statement.setString(1, change.userId());
            statement.setInt(2, asset.id());
            statement.executeUpdate();
        }
        long walletId;
        WalletStatus status;
        Long maxBalance;
        Long dailyLimit;
        LocalDate spentOn;
        long spent;
        Instant now;
        try (PreparedStatement statement = connection.prepareStatement(lockMain)) {
            statement.setString(1, change.userId());
            statement.setInt(2, asset.id());
            try (ResultSet rows = statement.executeQuery()) {
                Invariants.require(rows.next(), "the main account exists under its lock");
                walletId = rows.getLong("id");
                status = WalletStatus.valueOf(rows.getString("status"));
                maxBalance = (Long) rows.getObject("max_balance");
                dailyLimit = (Long) rows.getObject("daily_spend_limit");
                spentOn = rows.getObject("spent_on", LocalDate.class);
                spent = rows.getLong("spent");
                now = rows.getObject("now", OffsetDateTime.class).toInstant();
            }
        }
        WalletStatus newStatus = change.status().orElse(status);
        // Not Optional.map: Limit.NONE boxes to null, which map would turn into "unchanged" instead of "no limit".
        Long newMax =
                change.maxBalance().isPresent() ? boxed(change.maxBalance().get()) : maxBalance;
        Long newDaily = change.dailySpendLimit().isPresent()
                ? boxed(change.dailySpendLimit().get())
                : dailyLimit;
        if (newStatus == status
                && java.util.Objects.equals(newMax, maxBalance)
                && java.util.Objects.equals(newDaily, dailyLimit)) {
            return current(connection, change.userId(), asset); // nothing changes: nothing to record
        }
        LocalDate today = Controls.day(now);
        if (newDaily == null) {
            spentOn = null; // no limit: nothing is counted
            spent = 0;
        } else if (dailyLimit == null) {
            spentOn = today; // counting starts: from the entries of the day so far
            spent = spentOn(connection, change.userId(), asset, today);
        }
        long changeId;
        try (PreparedStatement statement = connection.prepareStatement(record)) {
            statement.setString(1, change.userId());
            statement.setInt(2, asset.id());
            statement.setString(3, newStatus.name());
            setLong(statement, 4, newMax);
            setLong(statement, 5, newDaily);
            statement.setString(6, change.reason());
            statement.setString(7, actor);
            statement.setObject(8, now.atOffset(ZoneOffset.UTC));
            statement.setString(9, Event.typeOf(status, newStatus));
            try (ResultSet rows = statement.executeQuery()) {
                Invariants.require(rows.next() && rows.getLong("events") == 1, "a change is recorded with its event");
                changeId = rows.getLong("id");
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(apply)) {
            statement.setString(1, newStatus.name());
            setLong(statement, 2, newMax);
            setLong(statement, 3, newDaily);
            statement.setObject(4, spentOn);
            statement.setLong(5, spent);
            statement.setLong(6, changeId);
            statement.setLong(7, walletId);
            Invariants.require(statement.executeUpdate() == 1, "the change applies to its main account");
        }
        return current(connection, change.userId(), asset);
    }

    private long spentOn(Connection connection, String userId, AssetDirectory.AssetRow asset, LocalDate day)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(spentToday)) {
            statement.setString(1, userId);
            statement.setInt(2, asset.id());
            statement.setObject(3, day.atStartOfDay().atOffset(ZoneOffset.UTC));
            statement.setObject(4, day.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong("spent");
            }
        }
    }

    private static Long boxed(ControlsChange.Limit limit) {
        return limit.value().isPresent() ? limit.value().getAsLong() : null;
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    private static WalletControls controls(ResultSet rows, String userId, String assetCode) throws SQLException {
        Long max = (Long) rows.getObject("max_balance");
        Long daily = (Long) rows.getObject("daily_spend_limit");
        Long changeId = (Long) rows.getObject("change_id");
        OffsetDateTime at = rows.getObject("created_at", OffsetDateTime.class);
        return new WalletControls(
                userId,
                assetCode,
                WalletStatus.valueOf(rows.getString("status")),
                max == null ? OptionalLong.empty() : OptionalLong.of(max),
                daily == null ? OptionalLong.empty() : OptionalLong.of(daily),
                rows.getLong("spent_today"),
                changeId == null ? OptionalLong.empty() : OptionalLong.of(changeId),
                Optional.ofNullable(rows.getString("reason")),
                Optional.ofNullable(rows.getString("actor")),
                Optional.ofNullable(at).map(OffsetDateTime::toInstant));
    }
}
