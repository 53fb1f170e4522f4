package dev.walletledger.core.internal;

import dev.walletledger.core.Balance;
import dev.walletledger.core.Direction;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.HistoryItem;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Balance and history reads: one indexed statement each, never a stale cache. */
public final class Reads {
    private static final String CURSOR_PREFIX = "e1:";

    private final AssetDirectory assets;
    private final String balance;
    private final String balances;
    private final String userWallets;
    private final String history;

    public Reads(SqlText sql, AssetDirectory assets) {
        this.assets = assets;
        this.balance = sql.format("""
                SELECT w.balance FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ?
                """);
        this.balances = sql.format("""
                SELECT a.code, w.balance, a.decimal_places
                  FROM {schema}.wallets w JOIN {schema}.asset_types a ON a.id = w.asset_id
                 WHERE w.kind = 'USER' AND w.owner_id = ?
                 ORDER BY a.code
                """);
        this.userWallets = sql.format("""
                SELECT w.id FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND (? IS NULL OR w.asset_id = ?)
                """);
        this.history = sql.format("""
                SELECT e.id, e.transaction_id, t.reference_id, t.type, a.code, e.direction, e.amount,
                       e.balance_after, t.created_at, t.metadata::text
                  FROM {schema}.ledger_entries e
                  JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                  JOIN {schema}.asset_types a ON a.id = t.asset_id
                 WHERE e.wallet_id = ANY (?) AND e.id < ?
                 ORDER BY e.id DESC
                 LIMIT ?
                """);
    }

    public Balance balance(Connection connection, String userId, String assetCode) throws SQLException {
        AssetDirectory.AssetRow asset = assets.require(connection, assetCode);
        try (PreparedStatement statement = connection.prepareStatement(balance)) {
            statement.setString(1, userId);
            statement.setInt(2, asset.id());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw walletNotFound(userId, assetCode);
                }
                return new Balance(userId, assetCode, row.getLong(1), asset.asset().decimalPlaces());
            }
        }
    }

    public List<Balance> balances(Connection connection, String userId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(balances)) {
            statement.setString(1, userId);
            List<Balance> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    result.add(new Balance(userId, rows.getString(1), rows.getLong(2), rows.getInt(3)));
                }
            }
            return result;
        }
    }

    /** A page of the user's entries, newest first; {@code assetCode} null means every asset. */
    public HistoryPage history(Connection connection, String userId, String assetCode, String cursor, int limit)
            throws SQLException {
        long before = decodeCursor(cursor);
        Integer assetId = assetCode == null ? null : assets.require(connection, assetCode).id();
        List<Long> wallets = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(userWallets)) {
            statement.setString(1, userId);
            statement.setObject(2, assetId, java.sql.Types.INTEGER);
            statement.setObject(3, assetId, java.sql.Types.INTEGER);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    wallets.add(rows.getLong(1));
                }
            }
        }
        if (wallets.isEmpty()) {
            throw walletNotFound(userId, assetCode);
        }
        List<HistoryItem> items = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(history)) {
            statement.setArray(1, connection.createArrayOf("int8", wallets.toArray(new Long[0])));
            statement.setLong(2, before);
            statement.setInt(3, limit + 1); // one more tells whether another page exists
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    items.add(new HistoryItem(rows.getLong(1), rows.getObject(2, java.util.UUID.class),
                            rows.getString(3), OperationType.valueOf(rows.getString(4)), rows.getString(5),
                            Direction.valueOf(rows.getString(6)), rows.getLong(7), rows.getLong(8),
                            rows.getObject(9, OffsetDateTime.class).toInstant(), Metadata.parse(rows.getString(10))));
                }
            }
        }
        Optional<String> next = Optional.empty();
        if (items.size() > limit) {
            items = items.subList(0, limit);
            next = Optional.of(encodeCursor(items.get(limit - 1).entryId()));
        }
        return new HistoryPage(items, next);
    }

    static String encodeCursor(long entryId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + entryId).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodeCursor(String cursor) {
        if (cursor == null) {
            return Long.MAX_VALUE;
        }
        try {
            if (cursor.length() > 64) {
                throw new IllegalArgumentException("too long");
            }
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (text.startsWith(CURSOR_PREFIX)) {
                long id = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal below; NumberFormatException is an IllegalArgumentException
        }
        throw WalletException.of(ErrorCode.VALIDATION_FAILED, "cursor is not one this ledger handed out",
                Map.of("field", "cursor"));
    }

    private static WalletException walletNotFound(String userId, String assetCode) {
        return WalletException.of(ErrorCode.WALLET_NOT_FOUND,
                assetCode == null ? "user " + userId + " has no wallet"
                        : "user " + userId + " has no " + assetCode + " wallet",
                assetCode == null ? Map.of("user_id", userId) : Map.of("user_id", userId, "asset_code", assetCode));
    }
}
