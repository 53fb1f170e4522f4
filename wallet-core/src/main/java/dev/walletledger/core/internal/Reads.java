package dev.walletledger.core.internal;

import dev.walletledger.core.Balance;
import dev.walletledger.core.Direction;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.HistoryItem;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Lot;
import dev.walletledger.core.LotClass;
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

/**
 * Balance and history reads: indexed statements, never a stale cache. Each is {@link IndexPlans#pinned}
 * and driven by the keys it names; the comment above each says through which index.
 */
final class Reads {
    private static final String CURSOR_PREFIX = "e1:";

    private final AssetDirectory assets;
    private final Accounts accounts;
    private final String balance;
    private final String balances;
    private final String balanceAt;
    private final String userWallets;
    private final String history;

    Reads(SqlText sql, AssetDirectory assets, Accounts accounts) {
        this.assets = assets;
        this.accounts = accounts;
        // wallets_owner_key (kind, owner_id, asset_id, account) with the first three fixed: the accounts of one
        // wallet, summed here by the engine's rule (Accounts).
        this.balance = IndexPlans.pinned(sql.format("""
                SELECT w.account, w.balance, statement_timestamp() AS now FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ?
                """));
        // As balance, each account then walked backwards along ledger_entries_wallet_idx (wallet_id, id) from its
        // newest entry to the first one dated at or before the moment (a primary-key probe of its transaction per
        // step): it reads the account's entries dated after the moment, plus one.
        this.balanceAt = IndexPlans.pinned(sql.format("""
                SELECT w.account, COALESCE(l.balance_after, 0) AS balance
                  FROM {schema}.wallets w
                  LEFT JOIN LATERAL (
                       SELECT e.balance_after
                         FROM {schema}.ledger_entries e
                        CROSS JOIN LATERAL (SELECT t.created_at FROM {schema}.ledger_transactions t
                                             WHERE t.id = e.transaction_id OFFSET 0) t
                        WHERE e.wallet_id = w.id AND t.created_at <= ?
                        ORDER BY e.wallet_id DESC, e.id DESC
                        LIMIT 1) l ON true
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ?
                """));
        // wallets_owner_key's leading (kind, owner_id): the user's accounts only. Whichever side the planner
        // starts from, wallets are read through that index with the user fixed (with the asset too, when it
        // starts from the handful of asset types).
        this.balances = IndexPlans.pinned(sql.format("""
                SELECT a.code, w.account, w.balance, a.decimal_places, statement_timestamp() AS now
                  FROM {schema}.wallets w JOIN {schema}.asset_types a ON a.id = w.asset_id
                 WHERE w.kind = 'USER' AND w.owner_id = ?
                """));
        // As above.
        this.userWallets = IndexPlans.pinned(sql.format("""
                SELECT w.id FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND (? IS NULL OR w.asset_id = ?)
                """));
        // Per wallet, a backward walk of ledger_entries_wallet_idx (wallet_id, id) from the cursor, stopped
        // by its LIMIT: at most limit + 1 entries read per wallet however long its history. The row
        // comparison and the ORDER BY name both of that index's columns, so the primary key (id) cannot
        // serve them. The newest of those across the user's wallets are then looked up, one primary-key
        // probe each, in LATERAL subqueries the planner cannot flatten (OFFSET 0), so no join order or full
        // index scan is left to the estimates. (A single "wallet_id = ANY (...) ORDER BY id DESC" would read
        // every entry of every wallet before sorting, or walk the whole primary key backwards.)
        this.history = IndexPlans.pinned(sql.format("""
                SELECT e.id, e.transaction_id, t.reference_id, t.type, a.code, w.account, e.direction, e.amount,
                       e.balance_after, t.created_at, t.metadata::text AS metadata,
                       CASE WHEN t.type <> 'TRANSFER' THEN NULL
                            WHEN e.direction = 'DEBIT' THEN t.request ->> 'to_user_id'
                            ELSE t.request ->> 'from_user_id' END AS counterparty,
                       t.reverses, t.hold_id
                  FROM (SELECT p.*
                          FROM unnest(?::int8[]) AS u(wallet_id)
                         CROSS JOIN LATERAL (
                               SELECT x.id, x.transaction_id, x.wallet_id, x.direction, x.amount, x.balance_after
                                 FROM {schema}.ledger_entries x
                                WHERE x.wallet_id = u.wallet_id AND (x.wallet_id, x.id) < (u.wallet_id, ?)
                                ORDER BY x.wallet_id DESC, x.id DESC
                                LIMIT ?) p
                         ORDER BY p.id DESC
                         LIMIT ?) e
                 CROSS JOIN LATERAL (SELECT t.reference_id, t.type, t.asset_id, t.created_at, t.metadata,
                                            t.request, t.reverses, t.hold_id
                                       FROM {schema}.ledger_transactions t WHERE t.id = e.transaction_id OFFSET 0) t
                 CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = t.asset_id OFFSET 0) a
                 CROSS JOIN LATERAL (SELECT w.account FROM {schema}.wallets w WHERE w.id = e.wallet_id OFFSET 0) w
                 ORDER BY e.id DESC
                """));
    }

    /** A wallet's accounts added up as a balance: its usable lots by class, the expiring ones, the held account. */
    private final class Tally {
        final String assetCode;
        int decimalPlaces;
        long paid;
        long free;
        long held;
        final List<Lot> lots = new ArrayList<>();

        Tally(String assetCode) {
            this.assetCode = assetCode;
        }

        void add(String account, long amount, java.time.Instant now) {
            if (account.equals(Accounts.HELD)) {
                held = amount;
            } else if (accounts.counted(account) && !Lots.expiredAt(account, now)) {
                Lot lot = Lot.of(account, amount);
                if (lot.lotClass() == LotClass.PAID) {
                    paid = Math.addExact(paid, amount);
                } else {
                    free = Math.addExact(free, amount);
                }
                if (amount != 0) {
                    lots.add(lot);
                }
            }
        }

        Balance balance(String userId) {
            List<Lot> expiring = lots.stream()
                    .filter(l -> l.expiresAt() != null && l.amount() > 0)
                    .sorted(java.util.Comparator.comparing(Lot::expiresAt)
                            .thenComparing(l -> l.lotClass().name()))
                    .limit(Balance.EXPIRING_MAX)
                    .toList();
            return new Balance(userId, assetCode, Math.addExact(paid, free), decimalPlaces, held, paid, free, expiring);
        }

        /** The lots that hold coins: soonest expiry first, those that never expire last (free before paid). */
        List<Lot> lots() {
            return lots.stream()
                    .sorted(java.util.Comparator.comparing(
                                    Lot::expiresAt, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
                            .thenComparing(l -> l.lotClass() == LotClass.FREE ? 0 : 1))
                    .toList();
        }
    }

    private Tally tally(Connection connection, String userId, String assetCode) throws SQLException {
        AssetDirectory.AssetRow asset = assets.require(connection, assetCode);
        try (PreparedStatement statement = connection.prepareStatement(balance)) {
            statement.setString(1, userId);
            statement.setInt(2, asset.id());
            try (ResultSet rows = IndexPlans.query(statement)) {
                Tally tally = null;
                while (rows.next()) {
                    if (tally == null) {
                        tally = new Tally(assetCode);
                        tally.decimalPlaces = asset.asset().decimalPlaces();
                    }
                    tally.add(rows.getString("account"), rows.getLong("balance"), now(rows));
                }
                if (tally == null) {
                    throw walletNotFound(userId, assetCode);
                }
                return tally;
            }
        }
    }

    private static java.time.Instant now(ResultSet rows) throws SQLException {
        return rows.getObject("now", OffsetDateTime.class).toInstant();
    }

    /**
     * The user's balance as of {@code at}: each account's {@code balance_after} of its latest entry dated at or
     * before it (0 for an account with none), the lots expired at {@code at} counting for nothing, swept or not.
     * The caller has settled {@code at} ({@link SettledClock}).
     */
    Balance balanceAt(Connection connection, String userId, String assetCode, java.time.Instant at)
            throws SQLException {
        AssetDirectory.AssetRow asset = assets.require(connection, assetCode);
        try (PreparedStatement statement = connection.prepareStatement(balanceAt)) {
            statement.setObject(1, OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
            statement.setString(2, userId);
            statement.setInt(3, asset.id());
            try (ResultSet rows = IndexPlans.query(statement)) {
                Tally tally = null;
                while (rows.next()) { // one per account of the wallet
                    if (tally == null) {
                        tally = new Tally(assetCode);
                        tally.decimalPlaces = asset.asset().decimalPlaces();
                    }
                    tally.add(rows.getString("account"), rows.getLong("balance"), at);
                }
                if (tally == null) {
                    throw walletNotFound(userId, assetCode);
                }
                return tally.balance(userId);
            }
        }
    }

    Balance balance(Connection connection, String userId, String assetCode) throws SQLException {
        return tally(connection, userId, assetCode).balance(userId);
    }

    List<Lot> lots(Connection connection, String userId, String assetCode) throws SQLException {
        return tally(connection, userId, assetCode).lots();
    }

    List<Balance> balances(Connection connection, String userId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(balances)) {
            statement.setString(1, userId);
            Map<String, Tally> totals = new java.util.TreeMap<>();
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    Tally tally = totals.computeIfAbsent(rows.getString("code"), Tally::new);
                    tally.decimalPlaces = rows.getInt("decimal_places");
                    tally.add(rows.getString("account"), rows.getLong("balance"), now(rows));
                }
            }
            List<Balance> result = new ArrayList<>();
            totals.values().forEach(tally -> result.add(tally.balance(userId)));
            return result;
        }
    }

    /** A page of the user's entries, newest first; {@code assetCode} null means every asset. */
    HistoryPage history(Connection connection, String userId, String assetCode, String cursor, int limit)
            throws SQLException {
        long before = decodeCursor(cursor);
        Integer assetId =
                assetCode == null ? null : assets.require(connection, assetCode).id();
        List<Long> wallets = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(userWallets)) {
            statement.setString(1, userId);
            statement.setObject(2, assetId, java.sql.Types.INTEGER);
            statement.setObject(3, assetId, java.sql.Types.INTEGER);
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    wallets.add(rows.getLong("id"));
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
            statement.setInt(4, limit + 1);
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    items.add(new HistoryItem(
                            rows.getLong("id"),
                            rows.getObject("transaction_id", java.util.UUID.class),
                            rows.getString("reference_id"),
                            OperationType.valueOf(rows.getString("type")),
                            rows.getString("code"),
                            rows.getString("account"),
                            Direction.valueOf(rows.getString("direction")),
                            rows.getLong("amount"),
                            rows.getLong("balance_after"),
                            rows.getObject("created_at", OffsetDateTime.class).toInstant(),
                            Metadata.parse(rows.getString("metadata")),
                            rows.getString("counterparty"),
                            rows.getObject("reverses", java.util.UUID.class),
                            rows.getObject("hold_id", java.util.UUID.class)));
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
        return Base64.getUrlEncoder()
                .withoutPadding()
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
        throw WalletException.of(
                ErrorCode.VALIDATION_FAILED, "cursor is not one this ledger handed out", Map.of("field", "cursor"));
    }

    private static WalletException walletNotFound(String userId, String assetCode) {
        return WalletException.of(
                ErrorCode.WALLET_NOT_FOUND,
                assetCode == null
                        ? "user " + userId + " has no wallet"
                        : "user " + userId + " has no " + assetCode + " wallet",
                assetCode == null ? Map.of("user_id", userId) : Map.of("user_id", userId, "asset_code", assetCode));
    }
}
