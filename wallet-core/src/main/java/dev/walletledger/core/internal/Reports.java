package dev.walletledger.core.internal;

import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.Direction;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.LotClass;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The finance reports: what is outstanding at a moment, and what moved over a period. Each is one statement, so one
 * snapshot, run after {@link SettledClock} settled its moment. The database aggregates: a statement answers a
 * handful of rows per asset whatever the size of the ledger. Both plan freely, like the audit: the activity report
 * reads the transactions by date, which no index serves (ledger_transactions has no created_at index, on purpose:
 * none is added to the write path for reports), so it scans them; the balances at a moment walk each account's
 * entries backwards from its newest (ledger_entries_wallet_idx), reading those dated after the moment.
 */
final class Reports {
    /** The balance_after of account {@code w}'s latest entry dated at or before the bound moment, or 0. */
    private static final String BALANCE_AT = """
            COALESCE((SELECT e.balance_after
                        FROM {schema}.ledger_entries e
                        JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                       WHERE e.wallet_id = w.id AND t.created_at <= ?
                       ORDER BY e.wallet_id DESC, e.id DESC
                       LIMIT 1), 0)""";

    private final AssetDirectory assets;
    private final String outstanding;
    private final String activity;

    Reports(SqlText sql, AssetDirectory assets) {
        this.assets = assets;
        // Parameters: at (balances), asset id twice (accounts), at (expired), the end of the expiring window,
        // asset id twice (assets).
        this.outstanding = sql.format("""
                WITH accounts AS MATERIALIZED (
                    SELECT w.asset_id, w.owner_id, {schema}.lot_class(w.account) AS class,
                           {schema}.lot_expiry(w.account) AS expiry, %1$s AS balance
                      FROM {schema}.wallets w
                     WHERE w.kind = 'USER' AND (?::int IS NULL OR w.asset_id = ?)
                ), live AS MATERIALIZED (
                    SELECT a.* FROM accounts a WHERE a.expiry IS NULL OR a.expiry > ?
                ), per_asset AS (
                    SELECT l.asset_id,
                           sum(l.balance) FILTER (WHERE l.class = 'PAID') AS paid,
                           sum(l.balance) FILTER (WHERE l.class = 'FREE') AS free,
                           sum(l.balance) FILTER (WHERE l.class IS NULL) AS held,
                           sum(l.balance) FILTER (WHERE l.class IS NOT NULL AND l.expiry <= ?) AS expiring
                      FROM live l GROUP BY l.asset_id
                ), funded AS (
                    SELECT x.asset_id, count(*) AS wallets
                      FROM (SELECT l.asset_id, l.owner_id FROM live l
                             GROUP BY l.asset_id, l.owner_id HAVING sum(l.balance) > 0) x
                     GROUP BY x.asset_id
                )
                SELECT a.code, a.decimal_places,
                       COALESCE(p.paid, 0)::bigint AS paid, COALESCE(p.free, 0)::bigint AS free,
                       COALESCE(p.held, 0)::bigint AS held, COALESCE(p.expiring, 0)::bigint AS expiring,
                       COALESCE(f.wallets, 0) AS wallets
                  FROM {schema}.asset_types a
                  LEFT JOIN per_asset p ON p.asset_id = a.id
                  LEFT JOIN funded f ON f.asset_id = a.id
                 WHERE ?::int IS NULL OR a.id = ?
                 ORDER BY a.code
                """.formatted(sql.format(BALANCE_AT)));
        // Rows per asset: OPENING and CLOSING per lot class, and FLOW per (type, direction, bucket), the bucket being
        // the lot class of a user's lot, HELD for a held account, or the SYSTEM wallet's role. Parameters: from and
        // to (balances), asset id twice (accounts), from and to (period), asset id twice (transactions), asset id
        // twice (assets).
        this.activity = sql.format("""
                WITH lots AS MATERIALIZED (
                    SELECT w.asset_id, {schema}.lot_class(w.account) AS class, %1$s AS opening, %1$s AS closing
                      FROM {schema}.wallets w
                     WHERE w.kind = 'USER' AND w.account <> 'held' AND (?::int IS NULL OR w.asset_id = ?)
                ), flows AS (
                    SELECT t.asset_id, t.type, e.direction,
                           CASE WHEN w.kind = 'USER' THEN COALESCE({schema}.lot_class(w.account), 'HELD')
                                ELSE w.owner_id END AS bucket,
                           sum(e.amount) AS amount
                      FROM {schema}.ledger_transactions t
                      JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                      JOIN {schema}.wallets w ON w.id = e.wallet_id
                     WHERE t.created_at > ? AND t.created_at <= ? AND (?::int IS NULL OR t.asset_id = ?)
                     GROUP BY t.asset_id, t.type, e.direction, 4
                ), rows AS (
                    SELECT l.asset_id, 'OPENING' AS kind, NULL::text AS type, NULL::text AS direction,
                           l.class::text AS bucket, sum(l.opening) AS amount
                      FROM lots l GROUP BY l.asset_id, l.class
                    UNION ALL
                    SELECT l.asset_id, 'CLOSING', NULL, NULL, l.class, sum(l.closing) FROM lots l GROUP BY l.asset_id, l.class
                    UNION ALL
                    SELECT f.asset_id, 'FLOW', f.type, f.direction, f.bucket, f.amount FROM flows f
                )
                SELECT a.code, a.decimal_places, r.kind, r.type, r.direction, r.bucket, r.amount::bigint AS amount
                  FROM {schema}.asset_types a
                  LEFT JOIN rows r ON r.asset_id = a.id
                 WHERE ?::int IS NULL OR a.id = ?
                 ORDER BY a.code
                """.formatted(sql.format(BALANCE_AT)));
    }

    private static OffsetDateTime timestamp(Instant moment) {
        return OffsetDateTime.ofInstant(moment, ZoneOffset.UTC);
    }

    private Integer assetId(Connection connection, String assetCode) throws SQLException {
        return assetCode == null ? null : assets.require(connection, assetCode).id();
    }

    /** {@code assetCode} null: every asset. The caller has settled {@code at}. */
    OutstandingReport outstanding(Connection connection, Instant at, String assetCode) throws SQLException {
        Integer assetId = assetId(connection, assetCode);
        try (PreparedStatement statement = connection.prepareStatement(outstanding)) {
            statement.setObject(1, timestamp(at));
            statement.setObject(2, assetId, Types.INTEGER);
            statement.setObject(3, assetId, Types.INTEGER);
            statement.setObject(4, timestamp(at));
            statement.setObject(5, timestamp(at.plus(OutstandingReport.EXPIRING_WITHIN)));
            statement.setObject(6, assetId, Types.INTEGER);
            statement.setObject(7, assetId, Types.INTEGER);
            List<OutstandingReport.Line> lines = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) { // one per asset
                    lines.add(new OutstandingReport.Line(
                            rows.getString("code"),
                            rows.getInt("decimal_places"),
                            rows.getLong("paid"),
                            rows.getLong("free"),
                            rows.getLong("held"),
                            rows.getLong("expiring"),
                            rows.getLong("wallets")));
                }
            }
            return new OutstandingReport(at, lines);
        }
    }

    /** {@code assetCode} null: every asset. The caller has settled {@code to}; {@code from} is not after it. */
    ActivityReport activity(Connection connection, Instant from, Instant to, String assetCode) throws SQLException {
        Integer assetId = assetId(connection, assetCode);
        Map<String, Totals> byAsset = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(activity)) {
            int i = 0;
            statement.setObject(++i, timestamp(from));
            statement.setObject(++i, timestamp(to));
            for (int k = 0; k < 2; k++) {
                statement.setObject(++i, assetId, Types.INTEGER);
            }
            statement.setObject(++i, timestamp(from));
            statement.setObject(++i, timestamp(to));
            for (int k = 0; k < 4; k++) {
                statement.setObject(++i, assetId, Types.INTEGER);
            }
            try (ResultSet rows = statement.executeQuery()) {
                // A few dozen rows per asset at most: (2 classes x 2) balances and (types x directions x buckets)
                // flows.
                while (rows.next()) {
                    Totals totals = byAsset.computeIfAbsent(rows.getString("code"), code -> new Totals(code, 0));
                    totals.decimalPlaces = rows.getInt("decimal_places");
                    String kind = rows.getString("kind");
                    if (kind != null) {
                        totals.add(
                                kind,
                                rows.getString("type"),
                                rows.getString("direction"),
                                rows.getString("bucket"),
                                rows.getLong("amount"));
                    }
                }
            }
        }
        List<ActivityReport.Line> lines = new ArrayList<>();
        for (Totals totals : byAsset.values()) {
            lines.add(totals.line());
        }
        return new ActivityReport(from, to, lines);
    }

    /** One asset's rows of the activity statement, added up. */
    private static final class Totals {
        final String assetCode;
        int decimalPlaces;
        final Map<LotClass, Long> opening = new EnumMap<>(LotClass.class);
        final Map<LotClass, Long> closing = new EnumMap<>(LotClass.class);
        /** By lot class, direction and type: what the entries moved on the class's lots. */
        final Map<LotClass, Map<Direction, Map<OperationType, Long>>> lots = new EnumMap<>(LotClass.class);
        /** By SYSTEM role or HELD, direction and type. */
        final Map<String, Map<Direction, Map<OperationType, Long>>> others = new java.util.HashMap<>();

        Totals(String assetCode, int decimalPlaces) {
            this.assetCode = assetCode;
            this.decimalPlaces = decimalPlaces;
            for (LotClass lotClass : LotClass.values()) {
                opening.put(lotClass, 0L);
                closing.put(lotClass, 0L);
            }
        }

        void add(String kind, String type, String direction, String bucket, long amount) {
            switch (kind) {
                case "OPENING" -> opening.merge(LotClass.valueOf(bucket), amount, Math::addExact);
                case "CLOSING" -> closing.merge(LotClass.valueOf(bucket), amount, Math::addExact);
                case "FLOW" -> {
                    Map<Direction, Map<OperationType, Long>> target = bucket.equals("PAID") || bucket.equals("FREE")
                            ? lots.computeIfAbsent(LotClass.valueOf(bucket), c -> new EnumMap<>(Direction.class))
                            : others.computeIfAbsent(bucket, b -> new EnumMap<>(Direction.class));
                    target.computeIfAbsent(Direction.valueOf(direction), d -> new EnumMap<>(OperationType.class))
                            .merge(OperationType.valueOf(type), amount, Math::addExact);
                }
                default -> throw new Invariants.Violation("an activity row of an unknown kind: " + kind);
            }
        }

        private Map<OperationType, Long> of(
                Map<?, Map<Direction, Map<OperationType, Long>>> by, Object bucket, Direction direction) {
            Map<Direction, Map<OperationType, Long>> directions = by.get(bucket);
            if (directions == null) {
                return Map.of();
            }
            return directions.getOrDefault(direction, Map.of());
        }

        private long lots(Direction direction, OperationType... types) {
            long sum = 0;
            for (LotClass lotClass : LotClass.values()) {
                Map<OperationType, Long> amounts = of(lots, lotClass, direction);
                for (OperationType type : types) {
                    sum = Math.addExact(sum, amounts.getOrDefault(type, 0L));
                }
            }
            return sum;
        }

        private long system(String role, OperationType... types) {
            Map<OperationType, Long> amounts = of(others, role, Direction.CREDIT);
            long sum = 0;
            for (OperationType type : types.length == 0 ? OperationType.values() : types) {
                sum = Math.addExact(sum, amounts.getOrDefault(type, 0L));
            }
            return sum;
        }

        /** The class's flow, after checking that its figures add up. */
        private ActivityReport.LotFlow flow(LotClass lotClass) {
            Map<OperationType, Long> credits = of(lots, lotClass, Direction.CREDIT);
            Map<OperationType, Long> debits = of(lots, lotClass, Direction.DEBIT);
            long credited = credits.values().stream().reduce(0L, Math::addExact);
            long debited = debits.values().stream().reduce(0L, Math::addExact);
            long open = opening.get(lotClass);
            long close = closing.get(lotClass);
            if (Math.addExact(open, Math.subtractExact(credited, debited)) != close) {
                throw WalletException.of(
                        ErrorCode.REPORT_INCONSISTENT,
                        "the ledger is inconsistent: the " + lotClass.name().toLowerCase(java.util.Locale.ROOT)
                                + " lots of " + assetCode + " opened at " + open + ", were credited " + credited
                                + " and debited " + debited + ", but closed at " + close + "; run the audit",
                        Map.of(
                                "asset_code", assetCode,
                                "lot_class", lotClass.name(),
                                "opening", open,
                                "credited", credited,
                                "debited", debited,
                                "closing", close));
            }
            return new ActivityReport.LotFlow(open, credits, debits, close);
        }

        ActivityReport.Line line() {
            ActivityReport.LotFlow paid = flow(LotClass.PAID);
            ActivityReport.LotFlow free = flow(LotClass.FREE);
            return new ActivityReport.Line(
                    assetCode,
                    decimalPlaces,
                    paid.credits().get(OperationType.TOPUP),
                    free.credits().get(OperationType.BONUS),
                    system("REVENUE", OperationType.SPEND, OperationType.CAPTURE),
                    system("PROMO_REDEEMED"),
                    system("BREAKAGE"),
                    lots(Direction.CREDIT, OperationType.REVERSAL),
                    lots(Direction.DEBIT, OperationType.CHARGEBACK),
                    lots(Direction.CREDIT, OperationType.ADJUSTMENT),
                    lots(Direction.DEBIT, OperationType.ADJUSTMENT),
                    lots(Direction.DEBIT, OperationType.HOLD),
                    lots(Direction.CREDIT, OperationType.CAPTURE, OperationType.VOID, OperationType.EXPIRY),
                    lots(Direction.CREDIT, OperationType.TRANSFER),
                    paid,
                    free);
        }
    }
}
