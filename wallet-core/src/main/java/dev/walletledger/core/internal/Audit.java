package dev.walletledger.core.internal;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.LedgerStats;
import dev.walletledger.core.Operation;
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
    private final String takenBack;
    private final String storedBalances;
    private final String balanceChain;
    private final String stats;
    private final String chainRows;
    private final String walletHeads;
    private final String lockEntries;
    private final String lastEntryId;
    private final String headsAt;
    private final String walletsInRange;

    public Audit(SqlText sql) {
        // Every USER entry of the wallets in a range, in chain order, each with its transaction's content
        // and all of that transaction's entries (in entry order).
        this.chainRows = sql.format("""
                SELECT u.wallet_id, u.id, u.chain_hash, t.id, t.type, t.reference_id, t.amount, t.reverses,
                       ARRAY(SELECT f.key FROM jsonb_each_text(t.request) f ORDER BY f.key),
                       ARRAY(SELECT f.value FROM jsonb_each_text(t.request) f ORDER BY f.key),
                       t.metadata::text, t.created_at, a.code, t.actor,
                       e.wallet_id, e.direction, e.amount, e.balance_after
                  FROM {schema}.ledger_entries u
                  JOIN {schema}.ledger_transactions t ON t.id = u.transaction_id
                  JOIN {schema}.asset_types a ON a.id = t.asset_id
                  JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                 WHERE u.wallet_id BETWEEN ? AND ? AND u.balance_after IS NOT NULL
                 ORDER BY u.wallet_id, u.id, e.id
                """);
        this.walletHeads = sql.format("""
                SELECT w.id, w.chain_head, w.last_entry_at FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                 ORDER BY w.id
                """);
        this.walletsInRange = sql.format("SELECT count(*) FROM {schema}.wallets WHERE id BETWEEN ? AND ?");
        this.lockEntries = sql.format("LOCK TABLE {schema}.ledger_entries IN SHARE MODE");
        this.lastEntryId = sql.format("SELECT COALESCE(max(id), 0) FROM {schema}.ledger_entries");
        this.headsAt = sql.format("""
                SELECT DISTINCT ON (e.wallet_id) e.wallet_id, e.chain_hash
                  FROM {schema}.ledger_entries e
                 WHERE e.chain_hash IS NOT NULL AND e.id <= ?
                 ORDER BY e.wallet_id, e.id DESC
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
                SELECT t.id, t.reference_id, count(e.id), COALESCE(sum(%s), 0)
                  FROM {schema}.ledger_transactions t
                  LEFT JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                  LEFT JOIN {schema}.wallets w ON w.id = e.wallet_id
                 GROUP BY t.id
                HAVING count(e.id) < 2 OR COALESCE(sum(%s), 0) <> 0
                    OR count(*) FILTER (WHERE w.kind = 'USER') < 1
                    OR COALESCE(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0) <> t.amount
                    OR count(*) FILTER (WHERE w.asset_id <> t.asset_id) <> 0
                    OR count(*) FILTER (WHERE e.amount = 0 AND (w.kind <> 'USER' OR t.type <> 'CHARGEBACK')) <> 0
                    OR count(*) FILTER (WHERE w.kind = 'SYSTEM' AND NOT w.owner_id = ANY (CASE t.type
                           WHEN 'TOPUP' THEN ARRAY['TREASURY'] WHEN 'BONUS' THEN ARRAY['BONUS_POOL']
                           WHEN 'SPEND' THEN ARRAY['REVENUE'] WHEN 'ADJUSTMENT' THEN ARRAY['ADJUSTMENTS']
                           WHEN 'CHARGEBACK' THEN ARRAY['TREASURY', 'CHARGEBACK_LOSS']
                           WHEN 'REVERSAL' THEN ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS']
                           ELSE ARRAY[]::varchar[] END)) <> 0
                 LIMIT ?
                """.formatted(SIGNED, SIGNED));
        // Every transaction taken back, with what takes it back: reversible, same asset, not exceeded.
        this.takenBack = sql.format("""
                SELECT o.id, o.reference_id, o.type, o.amount, sum(r.amount)
                  FROM {schema}.ledger_transactions r
                  JOIN {schema}.ledger_transactions o ON o.id = r.reverses
                 GROUP BY o.id
                HAVING sum(r.amount) > o.amount OR o.type IN ('REVERSAL', 'CHARGEBACK')
                    OR (bool_or(r.type = 'CHARGEBACK') AND o.type <> 'TOPUP')
                    OR bool_or(r.asset_id <> o.asset_id)
                 LIMIT ?
                """);
        this.storedBalances = sql.format("""
                SELECT w.id, w.owner_id, w.balance, COALESCE(s.total, 0)
                  FROM {schema}.wallets w
                  LEFT JOIN (SELECT e.wallet_id, sum(%s) AS total
                               FROM {schema}.ledger_entries e
                              WHERE e.wallet_id BETWEEN ? AND ?
                              GROUP BY e.wallet_id) s ON s.wallet_id = w.id
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                   AND w.balance <> COALESCE(s.total, 0)
                 ORDER BY w.id
                 LIMIT ?
                """.formatted(SIGNED));
        this.balanceChain = sql.format("""
                SELECT c.wallet_id, c.id, c.balance_after, c.running, c.kind, c.overdrawn
                  FROM (SELECT e.wallet_id, e.id, e.balance_after, w.kind,
                               sum(%s) OVER (PARTITION BY e.wallet_id ORDER BY e.id) AS running,
                               (e.direction = 'DEBIT' AND e.amount > 0 AND e.balance_after < 0
                                AND NOT (t.type = 'CHARGEBACK' AND t.request ->> 'policy' = 'debt')) AS overdrawn
                          FROM {schema}.ledger_entries e
                          JOIN {schema}.wallets w ON w.id = e.wallet_id
                          JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                         WHERE e.wallet_id BETWEEN ? AND ?) c
                 WHERE (c.kind = 'USER' AND (c.balance_after IS DISTINCT FROM c.running OR c.overdrawn))
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
                                        + " entries; a transaction is two or more postings in its asset, with a"
                                        + " USER posting, whose debits sum to its amount");
                    }
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(takenBack)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(
                            "reversal_total",
                            rows.getString(1) + " (" + rows.getString(2) + ")",
                            "a " + rows.getString(3) + " of " + rows.getLong(4) + " is taken back by "
                                    + rows.getBigDecimal(5)
                                    + " in all, by what may not take it back, or in another asset");
                }
            }
        }
        ChainWalk chains = new ChainWalk(anchor == null ? -1 : anchor.entryId(), findings);
        checkWallets(connection, totals[4], totals[1], progress, findings, chains);
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
            Connection connection,
            long maxWalletId,
            long walletCount,
            AuditProgress progress,
            Findings findings,
            ChainWalk chains)
            throws SQLException {
        long range = Math.max(RANGE_MIN, (maxWalletId + RANGES_MAX - 1) / RANGES_MAX);
        long checked = 0;
        progress.progressed(0, walletCount);
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
                        if (rows.getBoolean(6)) {
                            findings.add(
                                    "negative_balance",
                                    "wallet " + rows.getLong(1) + " entry " + rows.getLong(2),
                                    "a debit left the balance at " + after + ", below zero, outside a debt chargeback");
                            continue;
                        }
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
            // Wallets, not ids: identities have gaps (a wallet creation that met an existing one used an id).
            checked += walletsBetween(connection, low, high);
            progress.progressed(checked, walletCount);
        }
    }

    private long walletsBetween(Connection connection, long low, long high) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(walletsInRange)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
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
                        long entryId = more ? rows.getLong(2) : -1;
                        if (link != null && link.userEntryId != entryId) { // the previous link is complete
                            byte[] hash = link.operation == null
                                    ? Chain.GENESIS
                                    : Chain.link(
                                            previous,
                                            link.wallet,
                                            Chain.content(
                                                    link.id,
                                                    link.operation,
                                                    link.assetCode,
                                                    link.amount,
                                                    link.reverses,
                                                    link.createdAt,
                                                    link.actor,
                                                    link.entries));
                            if (!broken && !Arrays.equals(hash, link.stored)) {
                                broken = true;
                                findings.add(
                                        "hash_chain",
                                        "wallet " + link.wallet + " transaction " + link.id + " (" + link.reference
                                                + ")",
                                        "its hash does not match its content and the chain before it");
                            }
                            if (previousAt != null && link.createdAt.isBefore(previousAt)) {
                                findings.add(
                                        "time_order",
                                        "wallet " + link.wallet + " transaction " + link.id + " (" + link.reference
                                                + ")",
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

    /** One link of a wallet's chain: its entry, and its transaction's content as read back. */
    private static final class Link {
        final long wallet;
        final long userEntryId;
        final byte[] stored;
        final UUID id;
        final Operation operation;
        final String reference;
        final long amount;
        final UUID reverses;
        final Instant createdAt;
        final String assetCode;
        final String actor;
        final List<Entry> entries = new ArrayList<>(2);

        private Link(ResultSet rows) throws SQLException {
            this.wallet = rows.getLong(1);
            this.userEntryId = rows.getLong(2);
            this.stored = rows.getBytes(3);
            this.id = rows.getObject(4, UUID.class);
            this.operation = readable(rows);
            this.reference = rows.getString(6);
            this.amount = rows.getLong(7);
            this.reverses = rows.getObject(8, UUID.class);
            this.createdAt = rows.getObject(12, OffsetDateTime.class).toInstant();
            this.assetCode = rows.getString(13);
            this.actor = rows.getString(14);
        }

        /** The recorded request, or null when it cannot be read back (then no hash can match it). */
        private static Operation readable(ResultSet rows) throws SQLException {
            try {
                return TransactionReader.operation(rows, 5);
            } catch (RuntimeException e) { // a request not written by the ledger: the chain check reports it
                return null;
            }
        }

        static Link of(ResultSet rows) throws SQLException {
            return new Link(rows);
        }

        void add(ResultSet rows) throws SQLException {
            long after = rows.getLong(18);
            OptionalLong balanceAfter = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(after);
            // Owner and kind are not hashed (the wallet id is), so they need not be read back exactly.
            entries.add(new Entry(
                    rows.getLong(15),
                    balanceAfter.isPresent() ? WalletKind.USER : WalletKind.SYSTEM,
                    "",
                    Direction.valueOf(rows.getString(16)),
                    rows.getLong(17),
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
            // The anchor's finding is listed however many came before it: whether an anchor matched is read
            // from the list.
            if (listed.size() < AuditReport.VIOLATIONS_MAX || check.equals("anchor")) {
                listed.add(new AuditReport.Violation(check, subject, detail));
            }
        }
    }
}
