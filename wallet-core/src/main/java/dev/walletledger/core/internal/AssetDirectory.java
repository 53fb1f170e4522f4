package dev.walletledger.core.internal;

import dev.walletledger.core.Asset;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.SpendOrder;
import dev.walletledger.core.SystemWallet;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Asset types and their SYSTEM wallet ids, cached: neither a code, its decimal places nor its system
 * wallets ever change. A code not in the cache reloads it once (another process may have added it).
 */
final class AssetDirectory {
    /** One asset with the ids the engine needs. */
    public record AssetRow(int id, Asset asset, Map<SystemWallet, Long> systemWallets) {
        public long systemWallet(SystemWallet role) {
            return systemWallets.get(role);
        }
    }

    private final String load;
    private volatile Map<String, AssetRow> byCode = Map.of();

    public AssetDirectory(SqlText sql) {
        this.load = sql.format("""
                SELECT a.id, a.code, a.name, a.decimal_places, w.owner_id, w.id, a.spend_order
                  FROM {schema}.asset_types a
                  JOIN {schema}.wallets w ON w.asset_id = a.id AND w.kind = 'SYSTEM'
                 ORDER BY a.code
                """);
    }

    /** The asset with this code, or {@code ASSET_NOT_FOUND}. */
    public AssetRow require(Connection connection, String code) throws SQLException {
        return find(connection, code).orElseThrow(() -> notFound(code));
    }

    public Optional<AssetRow> find(Connection connection, String code) throws SQLException {
        AssetRow row = byCode.get(code);
        if (row == null) {
            reload(connection);
            row = byCode.get(code);
        }
        return Optional.ofNullable(row);
    }

    /** The asset with this code as last loaded, without a query; empty when it is not loaded (yet). */
    public Optional<AssetRow> cached(String code) {
        return Optional.ofNullable(byCode.get(code));
    }

    /** The asset with this id (one a row of the ledger names: it exists). */
    public AssetRow byId(Connection connection, int id) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (AssetRow row : byCode.values()) {
                if (row.id() == id) {
                    return row;
                }
            }
            reload(connection);
        }
        throw new IllegalStateException("no asset type has the id " + id);
    }

    public Map<String, AssetRow> all(Connection connection) throws SQLException {
        reload(connection);
        return byCode;
    }

    public static WalletException notFound(String code) {
        return WalletException.of(
                ErrorCode.ASSET_NOT_FOUND, "no asset type has the code " + code, Map.of("asset_code", code));
    }

    private void reload(Connection connection) throws SQLException {
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Asset> assets = new HashMap<>();
        Map<String, Map<SystemWallet, Long>> wallets = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(load);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String code = rows.getString(2);
                ids.put(code, rows.getInt(1));
                assets.put(
                        code,
                        new Asset(code, rows.getString(3), rows.getInt(4), SpendOrder.valueOf(rows.getString(7))));
                wallets.computeIfAbsent(code, c -> new EnumMap<>(SystemWallet.class))
                        .put(SystemWallet.valueOf(rows.getString(5)), rows.getLong(6));
            }
        }
        Map<String, AssetRow> loaded = new HashMap<>();
        for (Map.Entry<String, Asset> entry : assets.entrySet()) {
            Map<SystemWallet, Long> roles = wallets.get(entry.getKey());
            Invariants.require(
                    roles.size() == SystemWallet.values().length,
                    "asset " + entry.getKey() + " has all of its system wallets");
            loaded.put(entry.getKey(), new AssetRow(ids.get(entry.getKey()), entry.getValue(), Map.copyOf(roles)));
        }
        byCode = Map.copyOf(loaded);
    }
}
