package dev.walletledger.core.internal;

import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletKind;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * Recomputes every USER account's chain from the recorded content, one range of wallet ids at a time, reporting
 * the first broken link of each account ({@code hash_chain}), a transaction dated before the one before it
 * ({@code time_order}) and a stored head or last entry time that is not the chain's end ({@code chain_head},
 * {@code time_order}); folds each account's recomputed head as of the anchor's entry into the anchor digest.
 */
final class ChainWalk {
    /** Rows fetched per round trip: the walk holds one account's chain at a time, never a range in memory. */
    private static final int FETCH_SIZE = 10_000;

    private final String links;
    private final String heads;
    private final long anchorEntryId;
    private final Findings findings;
    private final MessageDigest anchorDigest = Chain.anchorDigest();
    private String anchorHex;

    ChainWalk(SqlText sql, long anchorEntryId, Findings findings) {
        this.anchorEntryId = anchorEntryId;
        this.findings = findings;
        // Every USER entry of the accounts in a range, in chain order, each with its transaction's content and
        // all of that transaction's entries (in entry order).
        this.links = sql.format("""
                SELECT u.wallet_id AS chained_wallet, u.id AS chained_entry, u.chain_hash AS stored_link,
                       t.id, t.amount, t.reverses, t.created_at, a.code AS asset_code, t.actor,
                       %s,
                       e.wallet_id, e.direction, e.amount AS entry_amount, e.balance_after
                  FROM {schema}.ledger_entries u
                  JOIN {schema}.ledger_transactions t ON t.id = u.transaction_id
                  JOIN {schema}.asset_types a ON a.id = t.asset_id
                  JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                 WHERE u.wallet_id BETWEEN ? AND ? AND u.balance_after IS NOT NULL
                 ORDER BY u.wallet_id, u.id, e.id
                """.formatted(TransactionReader.REQUEST_COLUMNS));
        this.heads = sql.format("""
                SELECT w.id, w.chain_head, w.last_entry_at FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                 ORDER BY w.id
                """);
    }

    /** Walks every chain of the accounts with ids in {@code [low, high]}, then checks their stored heads. */
    void walk(Connection connection, long low, long high) throws SQLException {
        Map<Long, Link> last = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(links)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            statement.setFetchSize(FETCH_SIZE);
            try (ResultSet rows = statement.executeQuery()) {
                Links reader = new Links(rows);
                AccountChain chain = null;
                for (Link link = reader.next(); link != null; link = reader.next()) { // each consumes its rows
                    if (chain == null || chain.wallet != link.wallet) {
                        if (chain != null) {
                            chain.finish();
                        }
                        chain = new AccountChain(link.wallet);
                    }
                    chain.add(link);
                    last.put(link.wallet, link);
                }
                if (chain != null) {
                    chain.finish();
                }
            }
        }
        checkHeads(connection, low, high, last);
    }

    String anchorDigest() {
        if (anchorHex == null) {
            anchorHex = Chain.hex(anchorDigest.digest());
        }
        return anchorHex;
    }

    /** One account's chain as it is walked: the hash and time before the next link. */
    private final class AccountChain {
        final long wallet;
        byte[] previous;
        Instant previousAt;
        byte[] headAtAnchor;
        boolean broken;

        AccountChain(long wallet) {
            this.wallet = wallet;
        }

        void add(Link link) {
            byte[] hash = link.hash(previous);
            if (!broken && !Arrays.equals(hash, link.stored)) {
                broken = true; // the first broken link: every later one breaks with it
                findings.add(
                        AuditCheck.HASH_CHAIN,
                        link.subject(),
                        "its hash does not match its content and the chain before it");
            }
            if (previousAt != null && link.createdAt.isBefore(previousAt)) {
                findings.add(
                        AuditCheck.TIME_ORDER,
                        link.subject(),
                        "dated " + link.createdAt + ", before the transaction before it on the wallet (" + previousAt
                                + ")");
            }
            previous = hash;
            previousAt = link.createdAt;
            if (link.chainedEntry <= anchorEntryId) {
                headAtAnchor = hash;
            }
        }

        void finish() {
            if (headAtAnchor != null) {
                Chain.foldHead(anchorDigest, wallet, headAtAnchor);
            }
        }
    }

    /**
     * Each stored head must be the stored hash of the account's last transaction, and its last entry time that
     * transaction's time (no transaction: neither).
     */
    private void checkHeads(Connection connection, long low, long high, Map<Long, Link> last) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(heads)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    long wallet = rows.getLong("id");
                    Link latest = last.get(wallet);
                    if (!Arrays.equals(rows.getBytes("chain_head"), latest == null ? null : latest.stored)) {
                        findings.add(
                                AuditCheck.CHAIN_HEAD,
                                "wallet " + wallet,
                                "the stored chain head is not the hash of the wallet's last transaction");
                    }
                    OffsetDateTime lastEntryAt = rows.getObject("last_entry_at", OffsetDateTime.class);
                    if (!Objects.equals(
                            lastEntryAt == null ? null : lastEntryAt.toInstant(),
                            latest == null ? null : latest.createdAt)) {
                        findings.add(
                                AuditCheck.TIME_ORDER,
                                "wallet " + wallet,
                                "the stored last entry time " + lastEntryAt
                                        + " is not the time of the wallet's last transaction");
                    }
                }
            }
        }
    }

    /** Reads the rows one link at a time: a link's rows are adjacent (same account, same chained entry). */
    private static final class Links {
        private final ResultSet rows;
        private boolean pending;
        private boolean exhausted;

        Links(ResultSet rows) {
            this.rows = rows;
        }

        /** The next link, with all its transaction's entries; null after the last. */
        Link next() throws SQLException {
            if (exhausted || (!pending && !rows.next())) {
                exhausted = true;
                return null;
            }
            Link link = new Link(rows);
            link.add(rows);
            pending = false;
            while (rows.next()) {
                if (rows.getLong("chained_entry") != link.chainedEntry) {
                    pending = true; // this row starts the next link
                    return link;
                }
                link.add(rows);
            }
            exhausted = true;
            return link;
        }
    }

    /** One link of an account's chain: its entry, and its transaction's content as read back. */
    private static final class Link {
        final long wallet;
        final long chainedEntry;
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

        Link(ResultSet rows) throws SQLException {
            this.wallet = rows.getLong("chained_wallet");
            this.chainedEntry = rows.getLong("chained_entry");
            this.stored = rows.getBytes("stored_link");
            this.id = rows.getObject("id", UUID.class);
            this.operation = readable(rows);
            this.reference = rows.getString("reference_id");
            this.amount = rows.getLong("amount");
            this.reverses = rows.getObject("reverses", UUID.class);
            this.createdAt = rows.getObject("created_at", OffsetDateTime.class).toInstant();
            this.assetCode = rows.getString("asset_code");
            this.actor = rows.getString("actor");
        }

        /** The recorded request, or null when it cannot be read back (then no hash can match it). */
        private static Operation readable(ResultSet rows) throws SQLException {
            try {
                return TransactionReader.operation(rows);
            } catch (RuntimeException e) { // a request not written by the ledger: the chain check reports it
                return null;
            }
        }

        void add(ResultSet rows) throws SQLException {
            long after = rows.getLong("balance_after");
            OptionalLong balanceAfter = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(after);
            // Owner, kind and account are not hashed (the wallet id is), so they need not be read back exactly.
            entries.add(new Entry(
                    rows.getLong("wallet_id"),
                    balanceAfter.isPresent() ? WalletKind.USER : WalletKind.SYSTEM,
                    "",
                    "",
                    Direction.valueOf(rows.getString("direction")),
                    rows.getLong("entry_amount"),
                    balanceAfter));
        }

        /** This link's hash after {@code previous}; the genesis hash when the request cannot be read back. */
        byte[] hash(byte[] previous) {
            return operation == null
                    ? Chain.GENESIS
                    : Chain.link(
                            previous,
                            wallet,
                            Chain.content(id, operation, assetCode, amount, reverses, createdAt, actor, entries));
        }

        String subject() {
            return "wallet " + wallet + " transaction " + id + " (" + reference + ")";
        }
    }
}
