package dev.walletledger.reliability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A whole-ledger read in one REPEATABLE READ snapshot, straight from PostgreSQL (Jepsen's bank read):
 * every wallet's stored balance and the sum of its postings, checked for conservation (Σ per asset = 0),
 * no negative USER balance, stored balance = Σ postings, and no wallet of an unknown user.
 */
final class LedgerSnapshot {
    private static final String WALLETS = """
            SELECT w.kind, w.owner_id, a.code, w.balance,
                   COALESCE(sum(CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END), 0) AS postings
              FROM %1$s.wallets w
              JOIN %1$s.asset_types a ON a.id = w.asset_id
              LEFT JOIN %1$s.ledger_entries e ON e.wallet_id = w.id
             GROUP BY w.id, w.kind, w.owner_id, a.code, w.balance""";

    record Wallet(String kind, String owner, String asset, Long balance, long postings) {}

    final List<Wallet> wallets;

    private LedgerSnapshot(List<Wallet> wallets) {
        this.wallets = wallets;
    }

    static LedgerSnapshot read(String jdbcUrl, String schema) throws SQLException {
        DriverManager.setLoginTimeout(5);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null)) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            List<Wallet> wallets = new ArrayList<>();
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(30);
                try (ResultSet row = statement.executeQuery(String.format(WALLETS, schema))) {
                    while (row.next()) {
                        long balance = row.getLong(4);
                        wallets.add(new Wallet(
                                row.getString(1),
                                row.getString(2),
                                row.getString(3),
                                row.wasNull() ? null : balance,
                                row.getLong(5)));
                    }
                }
            }
            connection.commit();
            return new LedgerSnapshot(wallets);
        }
    }

    /** The broken invariants, empty when none; {@code users}: the only USER owners that may exist. */
    List<String> violations(Set<String> users) {
        List<String> out = new ArrayList<>();
        Map<String, Long> perAsset = new HashMap<>();
        for (Wallet w : wallets) {
            if (w.kind.equals("USER")) {
                if (w.balance == null) {
                    out.add("USER wallet " + w.owner + "/" + w.asset + " has a null balance");
                    continue;
                }
                if (w.balance < 0) {
                    out.add("USER wallet " + w.owner + "/" + w.asset + " is negative: " + w.balance);
                }
                if (w.balance != w.postings) {
                    out.add("USER wallet " + w.owner + "/" + w.asset + " stores " + w.balance
                            + " but its postings sum to " + w.postings);
                }
                if (!users.contains(w.owner)) {
                    out.add("USER wallet of an unknown user " + w.owner);
                }
                perAsset.merge(w.asset, w.balance, Long::sum);
            } else {
                perAsset.merge(w.asset, w.postings, Long::sum);
            }
        }
        perAsset.forEach((asset, sum) -> {
            if (sum != 0) {
                out.add("asset " + asset + " does not sum to zero: " + sum);
            }
        });
        return out;
    }

    /** What each user owns in the asset (one in these workloads): all of the user's accounts, held included. */
    Map<String, Long> userBalances(String asset) {
        Map<String, Long> out = new HashMap<>();
        for (Wallet w : wallets) {
            if (w.kind.equals("USER") && w.asset.equals(asset)) {
                out.merge(w.owner, w.balance, Long::sum);
            }
        }
        return out;
    }

    /**
     * Every hold that does not end in exactly one state: a closed hold with other than one closing transaction or
     * not all of its amount given up, an open one with a closing transaction. None, ever.
     */
    static List<String> brokenHolds(String jdbcUrl, String schema) throws SQLException {
        String sql = String.format("""
                SELECT h.reference_id, h.status, h.amount, h.captured, h.released,
                       (SELECT count(*) FROM %1$s.ledger_transactions t
                         WHERE t.hold_id = h.id AND t.type <> 'HOLD' AND t.hold_remaining = 0) AS closings
                  FROM %1$s.ledger_holds h""", schema);
        List<String> out = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                boolean open = row.getString(2).equals("OPEN");
                long given = row.getLong(4) + row.getLong(5);
                long closings = row.getLong(6);
                if (open ? closings != 0 || given >= row.getLong(3) : closings != 1 || given != row.getLong(3)) {
                    out.add("hold " + row.getString(1) + " is " + row.getString(2) + " with " + closings
                            + " closing transaction(s), " + given + " of " + row.getLong(3) + " given up");
                }
            }
        }
        return out;
    }

    /**
     * One recorded transaction: "subject TYPE amount" (the subject is its first USER posting's owner), its
     * number of postings, the subject's signed balance change (over all of the subject's lots: a chargeback takes
     * several), and whether its reference repeats.
     */
    record Recorded(String effect, int entries, long subjectDelta, boolean duplicate) {
        /** A transaction the ledger could never have written: two under one reference, or under two postings. */
        boolean malformed() {
            return duplicate || entries < 2;
        }

        @Override
        public String toString() {
            return effect + " entries=" + entries + (duplicate ? " DUPLICATE" : "");
        }
    }

    static Map<String, Recorded> transactions(String jdbcUrl, String schema) throws SQLException {
        String sql = String.format("""
                SELECT t.reference_id, s.owner_id || ' ' || t.type || ' ' || t.amount,
                       (SELECT count(*) FROM %1$s.ledger_entries e WHERE e.transaction_id = t.id), s.delta
                  FROM %1$s.ledger_transactions t
                  LEFT JOIN LATERAL (
                        SELECT w.owner_id
                          FROM %1$s.ledger_entries e JOIN %1$s.wallets w ON w.id = e.wallet_id
                         WHERE e.transaction_id = t.id AND w.kind = 'USER'
                         ORDER BY e.id LIMIT 1) f ON true
                  LEFT JOIN LATERAL (
                        SELECT f.owner_id,
                               sum(CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END) AS delta
                          FROM %1$s.ledger_entries e JOIN %1$s.wallets w ON w.id = e.wallet_id
                         WHERE e.transaction_id = t.id AND w.kind = 'USER' AND w.owner_id = f.owner_id) s ON true""", schema);
        Map<String, Recorded> out = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                Recorded recorded = new Recorded(row.getString(2), row.getInt(3), row.getLong(4), false);
                Recorded previous = out.put(row.getString(1), recorded);
                if (previous != null) {
                    out.put(
                            row.getString(1),
                            new Recorded(recorded.effect(), recorded.entries(), recorded.subjectDelta(), true));
                }
            }
        }
        return out;
    }

    /** The owners of the lots past their expiry that still hold coins (one per lot), at the database's time {@code at}. */
    record Pending(List<String> owners, java.time.Instant at) {
        long lots() {
            return owners.size();
        }
    }

    /** The lots past their expiry (by the database's clock) that still hold coins: none once each is expired. */
    static Pending expiredLotsHoldingCoins(String jdbcUrl, String schema) throws SQLException {
        String sql = String.format("""
                SELECT now(), w.owner_id
                  FROM (SELECT 1) one
                  LEFT JOIN %1$s.wallets w
                    ON w.kind = 'USER' AND w.account ~ '^(paid|free)_' AND w.balance > 0
                   AND %1$s.lot_expiry(w.account) <= now()""", schema);
        List<String> owners = new ArrayList<>();
        java.time.Instant at = null;
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                at = row.getObject(1, java.time.OffsetDateTime.class).toInstant();
                if (row.getString(2) != null) {
                    owners.add(row.getString(2));
                }
            }
        }
        return new Pending(owners, at);
    }

    /**
     * What left each user's lots for BREAKAGE: a LOT_EXPIRY's is its lot owner's; a capture's, void's or hold
     * expiry's (coins released to a lot expired while held) the hold owner's; a reversal's (coins given back to a lot
     * expired meanwhile) the owner of the first USER posting of the transaction it takes back (its subject, whose lots
     * the coins came from). A null key: BREAKAGE no rule attributes.
     */
    static Map<String, Long> breakageByUser(String jdbcUrl, String schema) throws SQLException {
        String sql = String.format("""
                SELECT CASE WHEN t.type = 'LOT_EXPIRY' THEN l.owner_id
                            WHEN t.hold_id IS NOT NULL THEN h.owner_id
                            WHEN t.type = 'REVERSAL' THEN o.owner_id END,
                       sum(CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END)
                  FROM %1$s.ledger_entries e
                  JOIN %1$s.wallets b ON b.id = e.wallet_id AND b.kind = 'SYSTEM' AND b.owner_id = 'BREAKAGE'
                  JOIN %1$s.ledger_transactions t ON t.id = e.transaction_id
                  LEFT JOIN %1$s.ledger_holds h ON h.id = t.hold_id
                  LEFT JOIN LATERAL (
                        SELECT w.owner_id FROM %1$s.ledger_entries x JOIN %1$s.wallets w ON w.id = x.wallet_id
                         WHERE x.transaction_id = t.id AND w.kind = 'USER' LIMIT 1) l ON true
                  LEFT JOIN LATERAL (
                        SELECT w.owner_id FROM %1$s.ledger_entries x JOIN %1$s.wallets w ON w.id = x.wallet_id
                         WHERE x.transaction_id = t.reverses AND w.kind = 'USER' ORDER BY x.id LIMIT 1) o ON true
                 GROUP BY 1""", schema);
        Map<String, Long> out = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                out.put(row.getString(1), row.getLong(2));
            }
        }
        return out;
    }

    /** Every transaction taken back by more than its amount in all (reversals and chargebacks): none, ever. */
    static List<String> overTaken(String jdbcUrl, String schema) throws SQLException {
        String sql = String.format("""
                SELECT o.reference_id, o.amount, sum(r.amount)
                  FROM %1$s.ledger_transactions r JOIN %1$s.ledger_transactions o ON o.id = r.reverses
                 GROUP BY o.id, o.reference_id, o.amount
                HAVING sum(r.amount) > o.amount""", schema);
        List<String> out = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                out.add("transaction " + row.getString(1) + " of " + row.getLong(2) + " was taken back by "
                        + row.getLong(3) + " in all");
            }
        }
        return out;
    }
}
