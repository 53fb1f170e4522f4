package dev.walletledger.core.internal;

import dev.walletledger.core.LedgerStats;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Wallets, transactions and entries per asset, and each asset's sum (zero in a sound ledger). */
final class Statistics {
    private final String stats;

    Statistics(SqlText sql) {
        this.stats = sql.format("""
                SELECT a.code,
                       (SELECT count(*) FROM {schema}.wallets w WHERE w.asset_id = a.id AND w.kind = 'USER')
                           AS user_wallets,
                       (SELECT count(*) FROM {schema}.ledger_transactions t WHERE t.asset_id = a.id) AS transactions,
                       (SELECT count(*) FROM {schema}.ledger_entries e
                          JOIN {schema}.wallets w ON w.id = e.wallet_id WHERE w.asset_id = a.id) AS entries,
                       COALESCE((SELECT sum(w.balance) FROM {schema}.wallets w
                                  WHERE w.asset_id = a.id AND w.kind = 'USER'), 0) AS users,
                       COALESCE((SELECT sum(%s) FROM {schema}.ledger_entries e
                                   JOIN {schema}.wallets w ON w.id = e.wallet_id
                                  WHERE w.asset_id = a.id AND w.kind = 'SYSTEM'), 0) AS system
                  FROM {schema}.asset_types a
                 ORDER BY a.code
                """.formatted(Audit.SIGNED));
    }

    LedgerStats stats(Connection connection) throws SQLException {
        List<LedgerStats.AssetStats> assets = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(stats);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                BigInteger users = rows.getBigDecimal("users").toBigIntegerExact();
                BigInteger system = rows.getBigDecimal("system").toBigIntegerExact();
                assets.add(new LedgerStats.AssetStats(
                        rows.getString("code"),
                        rows.getLong("user_wallets"),
                        rows.getLong("transactions"),
                        rows.getLong("entries"),
                        users,
                        users.add(system)));
            }
        }
        return new LedgerStats(assets);
    }
}
