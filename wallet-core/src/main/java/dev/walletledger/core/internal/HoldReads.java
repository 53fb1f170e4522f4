package dev.walletledger.core.internal;

import dev.walletledger.core.Hold;
import dev.walletledger.core.HoldPage;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of holds: one by id (the primary key), a user's page by id, newest first (ledger_holds_owner_idx), and
 * the wallets of a user whose open holds are past their expiry (ledger_holds_open_idx), which the engine
 * releases before it answers, so an expired hold never reads as open.
 */
final class HoldReads {
    private static final String COLUMNS = """
            h.id, h.reference_id, h.owner_id, a.code AS asset_code, h.asset_id, h.amount, h.captured, h.released,
                   h.status, h.expires_at, h.created_at, h.closed_at""";

    private final String byId;
    private final String page;
    private final String expiredOf;

    HoldReads(SqlText sql) {
        String from = """
                  FROM {schema}.ledger_holds h
                 CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = h.asset_id OFFSET 0) a
                """;
        this.byId = sql.format("SELECT " + COLUMNS + from + " WHERE h.id = ?");
        this.page = sql.format("SELECT " + COLUMNS + from + """
                 WHERE h.owner_id = ? AND (?::int4 IS NULL OR h.asset_id = ?::int4)
                   AND (?::text IS NULL OR h.status = ?::text) AND (?::uuid IS NULL OR h.id < ?::uuid)
                 ORDER BY h.id DESC
                 LIMIT ?
                """);
        this.expiredOf = sql.format("""
                SELECT DISTINCT h.asset_id FROM {schema}.ledger_holds h
                 WHERE h.owner_id = ? AND h.status = 'OPEN' AND h.expires_at <= now()
                """);
    }

    /** The hold, and the wallet to release first when it is open past its expiry. */
    record Found(Hold hold, Plan.Holder holder) {
        boolean expired() {
            return hold.status() == Hold.Status.OPEN && !hold.expiresAt().isAfter(java.time.Instant.now());
        }
    }

    Optional<Found> byId(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(byId)) {
            statement.setObject(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        new Found(hold(rows), new Plan.Holder(rows.getString("owner_id"), rows.getInt("asset_id"))));
            }
        }
    }

    /** The assets in which the user has open holds past their expiry. */
    List<Integer> expiredAssets(Connection connection, String userId) throws SQLException {
        List<Integer> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(expiredOf)) {
            statement.setString(1, userId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getInt(1));
                }
            }
        }
        return found;
    }

    HoldPage page(Connection connection, String userId, Integer assetId, Hold.Status status, String cursor, int limit)
            throws SQLException {
        UUID after = cursor == null ? null : cursor(cursor);
        List<Hold> holds = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(page)) {
            statement.setString(1, userId);
            statement.setObject(2, assetId);
            statement.setObject(3, assetId);
            statement.setString(4, status == null ? null : status.name());
            statement.setString(5, status == null ? null : status.name());
            statement.setObject(6, after);
            statement.setObject(7, after);
            statement.setInt(8, limit + 1);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    holds.add(hold(rows));
                }
            }
        }
        Optional<String> next = Optional.empty();
        if (holds.size() > limit) {
            holds = holds.subList(0, limit);
            next = Optional.of(holds.get(limit - 1).id().toString());
        }
        return new HoldPage(holds, next);
    }

    private static UUID cursor(String cursor) {
        try {
            return UUID.fromString(cursor);
        } catch (IllegalArgumentException e) {
            throw WalletException.invalid("cursor", "is not a cursor this ledger gave");
        }
    }

    private static Hold hold(ResultSet rows) throws SQLException {
        return new Hold(
                rows.getObject("id", UUID.class),
                rows.getString("reference_id"),
                rows.getString("owner_id"),
                rows.getString("asset_code"),
                rows.getLong("amount"),
                rows.getLong("captured"),
                rows.getLong("released"),
                Hold.Status.valueOf(rows.getString("status")),
                rows.getObject("expires_at", OffsetDateTime.class).toInstant(),
                rows.getObject("created_at", OffsetDateTime.class).toInstant(),
                Optional.ofNullable(rows.getObject("closed_at", OffsetDateTime.class))
                        .map(OffsetDateTime::toInstant)
                        .orElse(null));
    }
}
