package dev.walletledger.core.internal;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.LedgerStats;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletKind;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

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
    private final String chainRows;
    private final String walletHeads;
    private final String lockEntries;
    private final String lastEntryId;
    private final String headsAt;

    public Audit(SqlText sql) {
        // Every transaction of the USER wallets in a range, in chain order (a transaction's two entries
        // have consecutive ids, the USER entry first).
        this.chainRows = sql.format("""
                SELECT t.user_wallet_id, t.id, t.type, t.reference_id, a.code, u.owner_id, t.amount,
                       t.payment_method, t.bonus_type, t.item_id, t.metadata::text, t.created_at, t.actor,
                       t.chain_hash, e.id, e.wallet_id, e.direction, e.amount, e.balance_after
                  FROM {schema}.ledger_transactions t
                  JOIN {schema}.asset_types a ON a.id = t.asset_id
                  JOIN {schema}.wallets u ON u.id = t.user_wallet_id
                  JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                 WHERE t.user_wallet_id BETWEEN ? AND ?
                 ORDER BY t.user_wallet_id, e.id
                """);
        this.walletHeads = sql.format("""
                SELECT w.id, w.chain_head, w.last_entry_at FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                 ORDER BY w.id
                """);
        this.lockEntries = sql.format("LOCK TABLE {schema}.ledger_entries IN SHARE MODE");
        this.lastEntryId = sql.format("SELECT COALESCE(max(id), 0) FROM {schema}.ledger_entries");
        this.headsAt = sql.format("""
                SELECT DISTINCT ON (t.user_wallet_id) t.user_wallet_id, t.chain_hash
                  FROM {schema}.ledger_entries e
                  JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                 WHERE e.wallet_id = t.user_wallet_id AND e.id <= ?
                 ORDER BY t.user_wallet_id, e.id DESC
                """);
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

    /** {@code anchor} may be null: then no anchor is checked. */
    public AuditReport verify(Connection connection, AuditProgress progress, Anchor anchor) throws SQLException {
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
                    findings.add(
                            "conservation",
                            rows.getString(1),
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
                        findings.add(
                                "transaction_balance", subject, "debits minus credits is " + rows.getBigDecimal(4));
                    } else {
                        findings.add(
                                "transaction_shape",
                                subject,
                                rows.getLong(3)
                                        + " entries; a transaction has one USER and one SYSTEM entry of its amount and asset");
                    }
                }
            }
        }
        ChainWalk chains = new ChainWalk(anchor == null ? -1 : anchor.entryId(), findings);
        checkWallets(connection, totals[4], progress, findings, chains);
        if (anchor != null) {
            long last = scalar(connection, lastEntryId);
            if (anchor.entryId() > last) {
                findings.add(
                        "anchor",
                        anchor.toString(),
                        "the anchor names entry " + anchor.entryId() + " but the ledger ends at entry " + last
                                + ": history was removed");
            } else if (!chains.anchorDigest().equals(anchor.digest())) {
                findings.add(
                        "anchor",
                        anchor.toString(),
                        "history up to entry " + anchor.entryId()
                                + " is not what it was when the anchor was taken (digest now " + chains.anchorDigest()
                                + ")");
            }
        }
        return new AuditReport(
                totals[0],
                totals[1],
                totals[2],
                totals[3],
                findings.listed,
                findings.count,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private void checkWallets(
            Connection connection, long maxWalletId, AuditProgress progress, Findings findings, ChainWalk chains)
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
                            findings.add(
                                    "stored_balance",
                                    subject,
                                    "stored balance " + rows.getLong(3) + " but its entries sum to "
                                            + rows.getBigDecimal(4));
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
                        findings.add(
                                "balance_chain",
                                "wallet " + rows.getLong(1) + " entry " + rows.getLong(2),
                                rows.getString(5).equals("SYSTEM")
                                        ? "a SYSTEM entry carries a balance_after"
                                        : "balance_after " + after + " but the entries up to it sum to "
                                                + rows.getBigDecimal(4));
                    }
                }
            }
            chains.walk(connection, low, high);
            progress.progressed(high, maxWalletId);
        }
    }

    /** The last entry id once every write in flight has committed (a brief SHARE lock; see Ledger.anchor). */
    public long settledEntryId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(lockEntries);
        }
        return scalar(connection, lastEntryId);
    }

    /** The anchor over the stored chain heads as of {@code entryId}. */
    public Anchor anchor(Connection connection, long entryId) throws SQLException {
        MessageDigest digest = Chain.anchorDigest();
        try (PreparedStatement statement = connection.prepareStatement(headsAt)) {
            statement.setLong(1, entryId);
            statement.setFetchSize(10_000);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Chain.foldHead(digest, rows.getLong(1), rows.getBytes(2));
                }
            }
        }
        return new Anchor(entryId, Chain.hex(digest.digest()));
    }

    private static long scalar(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * Recomputes every USER wallet's chain from the recorded content, reporting the first broken link of
     * each wallet ({@code hash_chain}) and a stored head that is not the chain's end ({@code chain_head});
     * folds each wallet's recomputed head as of the anchor's entry into the anchor digest.
     */
    private final class ChainWalk {
        private final long anchorEntryId;
        private final Findings findings;
        private final MessageDigest anchorDigest = Chain.anchorDigest();
        private String anchorHex;

        ChainWalk(long anchorEntryId, Findings findings) {
            this.anchorEntryId = anchorEntryId;
            this.findings = findings;
        }

        void walk(Connection connection, long low, long high) throws SQLException {
            Map<Long, Link> last = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(chainRows)) {
                statement.setLong(1, low);
                statement.setLong(2, high);
                statement.setFetchSize(10_000);
                try (ResultSet rows = statement.executeQuery()) {
                    Link link = null;
                    long wallet = -1;
                    byte[] previous = null;
                    Instant previousAt = null;
                    byte[] headAtAnchor = null;
                    boolean broken = false;
                    while (true) {
                        boolean more = rows.next();
                        UUID id = more ? rows.getObject(2, UUID.class) : null;
                        if (link != null && !link.id.equals(id)) { // the previous transaction is complete
                            byte[] hash = Chain.hash(
                                    previous,
                                    link.id,
                                    link.operation,
                                    link.wallet,
                                    link.createdAt,
                                    link.actor,
                                    link.entries);
                            if (!broken && !Arrays.equals(hash, link.stored)) {
                                broken = true;
                                findings.add(
                                        "hash_chain",
                                        "wallet " + link.wallet + " transaction " + link.id + " ("
                                                + link.operation.referenceId() + ")",
                                        "its hash does not match its content and the chain before it");
                            }
                            if (previousAt != null && link.createdAt.isBefore(previousAt)) {
                                findings.add(
                                        "time_order",
                                        "wallet " + link.wallet + " transaction " + link.id + " ("
                                                + link.operation.referenceId() + ")",
                                        "dated " + link.createdAt + ", before the transaction before it on the wallet ("
                                                + previousAt + ")");
                            }
                            previous = hash;
                            previousAt = link.createdAt;
                            last.put(link.wallet, link);
                            if (link.userEntryId <= anchorEntryId) {
                                headAtAnchor = hash;
                            }
                            link = null;
                        }
                        long rowWallet = more ? rows.getLong(1) : -2;
                        if (rowWallet != wallet) { // the previous wallet is complete
                            if (wallet > 0) {
                                if (headAtAnchor != null) {
                                    Chain.foldHead(anchorDigest, wallet, headAtAnchor);
                                }
                            }
                            wallet = rowWallet;
                            previous = null;
                            previousAt = null;
                            headAtAnchor = null;
                            broken = false;
                        }
                        if (!more) {
                            break;
                        }
                        if (link == null) {
                            link = Link.of(rows);
                        }
                        link.add(rows);
                    }
                }
            }
            checkHeads(connection, low, high, last);
        }

        /**
         * Each stored head must be the stored hash of the wallet's last transaction, and its last entry time
         * that transaction's time (no transaction: neither).
         */
        private void checkHeads(Connection connection, long low, long high, Map<Long, Link> last) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(walletHeads)) {
                statement.setLong(1, low);
                statement.setLong(2, high);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        byte[] stored = rows.getBytes(2);
                        Link latest = last.get(rows.getLong(1));
                        if (!Arrays.equals(stored, latest == null ? null : latest.stored)) {
                            findings.add(
                                    "chain_head",
                                    "wallet " + rows.getLong(1),
                                    "the stored chain head is not the hash of the wallet's last transaction");
                        }
                        OffsetDateTime lastEntryAt = rows.getObject(3, OffsetDateTime.class);
                        if (!Objects.equals(
                                lastEntryAt == null ? null : lastEntryAt.toInstant(),
                                latest == null ? null : latest.createdAt)) {
                            findings.add(
                                    "time_order",
                                    "wallet " + rows.getLong(1),
                                    "the stored last entry time " + lastEntryAt
                                            + " is not the time of the wallet's last transaction");
                        }
                    }
                }
            }
        }

        String anchorDigest() {
            if (anchorHex == null) {
                anchorHex = Chain.hex(anchorDigest.digest());
            }
            return anchorHex;
        }
    }

    /** One transaction of a chain, as read back. */
    private static final class Link {
        final UUID id;
        final long wallet;
        final Operation operation;
        final Instant createdAt;
        final String actor;
        final byte[] stored;
        final List<Entry> entries = new ArrayList<>(2);
        long userEntryId = Long.MAX_VALUE;

        private Link(UUID id, long wallet, Operation operation, Instant createdAt, String actor, byte[] stored) {
            this.id = id;
            this.wallet = wallet;
            this.operation = operation;
            this.createdAt = createdAt;
            this.actor = actor;
            this.stored = stored;
        }

        static Link of(ResultSet rows) throws SQLException {
            OperationType type = OperationType.valueOf(rows.getString(3));
            String detail = rows.getString(type.detailField());
            Operation operation = Operation.of(
                    type,
                    rows.getString(6),
                    rows.getString(5),
                    rows.getLong(7),
                    rows.getString(4),
                    detail,
                    Metadata.parse(rows.getString(11)));
            return new Link(
                    rows.getObject(2, UUID.class),
                    rows.getLong(1),
                    operation,
                    rows.getObject(12, OffsetDateTime.class).toInstant(),
                    rows.getString(13),
                    rows.getBytes(14));
        }

        void add(ResultSet rows) throws SQLException {
            long entryId = rows.getLong(15);
            long walletId = rows.getLong(16);
            long after = rows.getLong(19);
            OptionalLong balanceAfter = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(after);
            boolean user = walletId == wallet;
            if (user) {
                userEntryId = Math.min(userEntryId, entryId);
            }
            // Owner and kind are not hashed (the wallet id is), so they need not be read back exactly.
            entries.add(new Entry(
                    walletId,
                    user ? WalletKind.USER : WalletKind.SYSTEM,
                    "",
                    Direction.valueOf(rows.getString(17)),
                    rows.getLong(18),
                    balanceAfter));
        }
    }

    public LedgerStats stats(Connection connection) throws SQLException {
        List<LedgerStats.AssetStats> assets = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(stats);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                BigInteger users = rows.getBigDecimal(5).toBigIntegerExact();
                BigInteger system = rows.getBigDecimal(6).toBigIntegerExact();
                assets.add(new LedgerStats.AssetStats(
                        rows.getString(1),
                        rows.getLong(2),
                        rows.getLong(3),
                        rows.getLong(4),
                        users,
                        users.add(system)));
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
