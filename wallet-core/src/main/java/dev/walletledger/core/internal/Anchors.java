package dev.walletledger.core.internal;

import dev.walletledger.core.Anchor;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Anchors: the chain head of every account as of one entry, folded into one digest to keep outside the
 * database. The audit recomputes the same digest from the content ({@link ChainWalk}) to prove history up to
 * the anchor unchanged.
 */
final class Anchors {
    private final String lockEntries;
    private final String lastEntryId;
    private final String headsAt;

    Anchors(SqlText sql) {
        this.lockEntries = sql.format("LOCK TABLE {schema}.ledger_entries IN SHARE MODE");
        this.lastEntryId = sql.format("SELECT COALESCE(max(id), 0) AS last FROM {schema}.ledger_entries");
        this.headsAt = sql.format("""
                SELECT DISTINCT ON (e.wallet_id) e.wallet_id, e.chain_hash
                  FROM {schema}.ledger_entries e
                 WHERE e.chain_hash IS NOT NULL AND e.id <= ?
                 ORDER BY e.wallet_id, e.id DESC
                """);
    }

    /** The last entry id once every write in flight has committed (a brief SHARE lock; see Ledger.anchor). */
    long settledEntryId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(lockEntries);
        }
        return lastEntryId(connection);
    }

    long lastEntryId(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(lastEntryId);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong("last");
        }
    }

    /** The anchor over the stored chain heads as of {@code entryId}. */
    Anchor anchor(Connection connection, long entryId) throws SQLException {
        MessageDigest digest = Chain.anchorDigest();
        try (PreparedStatement statement = connection.prepareStatement(headsAt)) {
            statement.setLong(1, entryId);
            statement.setFetchSize(10_000);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Chain.foldHead(digest, rows.getLong("wallet_id"), rows.getBytes("chain_hash"));
                }
            }
        }
        return new Anchor(entryId, Chain.hex(digest.digest()));
    }
}
