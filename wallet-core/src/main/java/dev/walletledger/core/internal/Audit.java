package dev.walletledger.core.internal;

import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.LedgerStats;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The full audit: recomputes every balance from the entries, in one REPEATABLE READ snapshot, and
 * reports each broken invariant. Wallets are checked in id ranges so that progress can be told and no
 * single query holds millions of rows in memory.
 */
public final class Audit {
    /** Wallet ids per range query; with at most {@link #RANGES_MAX} ranges in all. */
    private static final long RANGE_MIN = 2_000;
    private static final long RANGES_MAX = 1_000;

    private static final String SIGNED = "CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END";

    private final String counts;
    private final String conservation;
    private final String transactionShape;
    private final String storedBalances;
    private final String balanceChain;
    private final String stats;

    public Audit(SqlText sql) {
        this.counts = sql.format("""
                SELECT (SELECT count(*) FROM {schema}.asset_types),
                       (SELECT count(*) FROM {schema}.wallets),
                       (SELECT count(*) FROM {schema}.ledger_transactions),
                       (SELECT count(*) FROM {schema}.ledger_entries),
                       (SELECT COALESCE(max(id), 0) FROM {schema}.wallets)
                """);
        // Per asset: stored USER balances plus SYSTEM balances (the sum of their entries) must be zero.
        this.conservation = sql.format("""
                SELECT a.code,
                       COALESCE((SELECT sum(w.balance) FROM {schema}.wallets w
                                  WHERE w.asset_id = a.id AND w.kind = 'USER'), 0)
                     + COALESCE((SELECT sum(%s) FROM {schema}.ledger_entries e
                                   JOIN {schema}.wallets w ON w.id = e.wallet_id
                                  WHERE w.asset_id = a.id AND w.kind = 'SYSTEM'), 0) AS total
                  FROM {schema}.asset_types a
                 ORDER BY a.code
                """.formatted(SIGNED));
        this.transactionShape = sql.format("""
                SELECT t.id, t.reference_id, count(e.id),
                       COALESCE(sum(%s), 0),
                       count(*) FILTER (WHERE e.wallet_id = t.user_wallet_id AND e.amount = t.amount
                           AND e.direction = CASE t.type WHEN 'SPEND' THEN 'DEBIT' ELSE 'CREDIT' END),
                       count(*) FILTER (WHERE w.kind = 'SYSTEM' AND e.amount = t.amount
                           AND w.owner_id = CASE t.type WHEN 'TOPUP' THEN 'TREASURY'
                                                        WHEN 'BONUS' THEN 'BONUS_POOL' ELSE 'REVENUE' END),
                       count(*) FILTER (WHERE w.asset_id <> t.asset_id)
                  FROM {schema}.ledger_transactions t
                  LEFT JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                  LEFT JOIN {schema}.wallets w ON w.id = e.wallet_id
                 GROUP BY t.id
                HAVING count(e.id) <> 2 OR COALESCE(sum(%s), 0) <> 0
                    OR count(*) FILTER (WHERE e.wallet_id = t.user_wallet_id AND e.amount = t.amount
                           AND e.direction = CASE t.type WHEN 'SPEND' THEN 'DEBIT' ELSE 'CREDIT' END) <> 1
                    OR count(*) FILTER (WHERE w.kind = 'SYSTEM' AND e.amount = t.amount
                           AND w.owner_id = CASE t.type WHEN 'TOPUP' THEN 'TREASURY'
                                                        WHEN 'BONUS' THEN 'BONUS_POOL' ELSE 'REVENUE' END) <> 1
                    OR count(*) FILTER (WHERE w.asset_id <> t.asset_id) <> 0
                 LIMIT ?
                """.formatted(SIGNED, SIGNED));
        this.storedBalances = sql.format("""
                SELECT w.id, w.owner_id, w.balance, COALESCE(s.total, 0)
                  FROM {schema}.wallets w
                  LEFT JOIN (SELECT e.wallet_id, sum(%s) AS total
                               FROM {schema}.ledger_entries e
                              WHERE e.wallet_id BETWEEN ? AND ?
                              GROUP BY e.wallet_id) s ON s.wallet_id = w.id
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                   AND (w.balance <> COALESCE(s.total, 0) OR w.balance < 0)
                 ORDER BY w.id
                 LIMIT ?
                """.formatted(SIGNED));
        this.balanceChain = sql.format("""
                SELECT c.wallet_id, c.id, c.balance_after, c.running, c.kind
                  FROM (SELECT e.wallet_id, e.id, e.balance_after, w.kind,
                               sum(%s) OVER (PARTITION BY e.wallet_id ORDER BY e.id) AS running
                          FROM {schema}.ledger_entries e
                          JOIN {schema}.wallets w ON w.id = e.wallet_id
                         WHERE e.wallet_id BETWEEN ? AND ?) c
                 WHERE (c.kind = 'USER' AND (c.balance_after IS DISTINCT FROM c.running OR c.running < 0))
                    OR (c.kind = 'SYSTEM' AND c.balance_after IS NOT NULL)
                 ORDER BY c.wallet_id, c.id
                 LIMIT ?
                """.formatted(SIGNED));
        this.stats = sql.format("""
                SELECT a.code,
                       (SELECT count(*) FROM {schema}.wallets w WHERE w.asset_id = a.id AND w.kind = 'USER'),
                       (SELECT count(*) FROM {schema}.ledger_transactions t WHERE t.asset_id = a.id),
                       (SELECT count(*) FROM {schema}.ledger_entries e
                          JOIN {schema}.wallets w ON w.id = e.wallet_id WHERE w.asset_id = a.id),
                       COALESCE((SELECT sum(w.balance) FROM {schema}.wallets w
                                  WHERE w.asset_id = a.id AND w.kind = 'USER'), 0),
                       COALESCE((SELECT sum(%s) FROM {schema}.ledger_entries e
                                   JOIN {schema}.wallets w ON w.id = e.wallet_id
                                  WHERE w.asset_id = a.id AND w.kind = 'SYSTEM'), 0)
                  FROM {schema}.asset_types a
                 ORDER BY a.code
                """.formatted(SIGNED));
    }

    public AuditReport verify(Connection connection, AuditProgress progress) throws SQLException {
        long started = System.nanoTime();
        Findings findings = new Findings();
        long[] totals = new long[5];
        try (PreparedStatement statement = connection.prepareStatement(counts);
             ResultSet row = statement.executeQuery()) {
            row.next();
            for (int i = 0; i < totals.length; i++) {
                totals[i] = row.getLong(i + 1);
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(conservation);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                if (rows.getBigDecimal(2).signum() != 0) {
                    findings.add("conservation", rows.getString(1),
                            "user balances plus system entries sum to " + rows.getBigDecimal(2) + ", not 0");
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(transactionShape)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String subject = rows.getString(1) + " (" + rows.getString(2) + ")";
                    if (rows.getBigDecimal(4).signum() != 0) {
                        findings.add("transaction_balance", subject,
                                "debits minus credits is " + rows.getBigDecimal(4));
                    } else {
                        findings.add("transaction_shape", subject, rows.getLong(3)
                                + " entries; a transaction has one USER and one SYSTEM entry of its amount and asset");
                    }
                }
            }
        }
        checkWallets(connection, totals[4], progress, findings);
        return new AuditReport(totals[0], totals[1], totals[2], totals[3], findings.listed, findings.count,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private void checkWallets(Connection connection, long maxWalletId, AuditProgress progress, Findings findings)
            throws SQLException {
        long range = Math.max(RANGE_MIN, (maxWalletId + RANGES_MAX - 1) / RANGES_MAX);
        progress.progressed(0, maxWalletId);
        for (long low = 1; low <= maxWalletId; low += range) {
            long high = Math.min(maxWalletId, low + range - 1);
            try (PreparedStatement statement = connection.prepareStatement(storedBalances)) {
                statement.setLong(1, low);
                statement.setLong(2, high);
                statement.setLong(3, low);
                statement.setLong(4, high);
                statement.setInt(5, AuditReport.VIOLATIONS_MAX);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String subject = "wallet " + rows.getLong(1) + " (" + rows.getString(2) + ")";
                        if (rows.getLong(3) < 0) {
                            findings.add("negative_balance", subject, "balance is " + rows.getLong(3));
                        }
                        if (rows.getBigDecimal(4).compareTo(java.math.BigDecimal.valueOf(rows.getLong(3))) != 0) {
                            findings.add("stored_balance", subject, "stored balance " + rows.getLong(3)
                                    + " but its entries sum to " + rows.getBigDecimal(4));
                        }
                    }
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(balanceChain)) {
                statement.setLong(1, low);
                statement.setLong(2, high);
                statement.setInt(3, AuditReport.VIOLATIONS_MAX);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String after = rows.getString(3);
                        findings.add("balance_chain", "wallet " + rows.getLong(1) + " entry " + rows.getLong(2),
                                rows.getString(5).equals("SYSTEM") ? "a SYSTEM entry carries a balance_after"
                                        : "balance_after " + after + " but the entries up to it sum to "
                                                + rows.getBigDecimal(4));
                    }
                }
            }
            progress.progressed(high, maxWalletId);
        }
    }

    public LedgerStats stats(Connection connection) throws SQLException {
        List<LedgerStats.AssetStats> assets = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(stats);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                BigInteger users = rows.getBigDecimal(5).toBigIntegerExact();
                BigInteger system = rows.getBigDecimal(6).toBigIntegerExact();
                assets.add(new LedgerStats.AssetStats(rows.getString(1), rows.getLong(2), rows.getLong(3),
                        rows.getLong(4), users, users.add(system)));
            }
        }
        return new LedgerStats(assets);
    }

    /** Violations: all counted, the first {@link AuditReport#VIOLATIONS_MAX} kept. */
    private static final class Findings {
        final List<AuditReport.Violation> listed = new ArrayList<>();
        long count;

        void add(String check, String subject, String detail) {
            count++;
            if (listed.size() < AuditReport.VIOLATIONS_MAX) {
                listed.add(new AuditReport.Violation(check, subject, detail));
            }
        }
    }
}
