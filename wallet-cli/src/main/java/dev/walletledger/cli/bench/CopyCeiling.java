package dev.walletledger.cli.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The physical limit of a batch of top-ups on this PostgreSQL: the rows a batch of {@code size} top-ups writes
 * ({@link BatchRows} counts them on the ledger first), written with {@code COPY} and one {@code UPDATE} of the
 * wallets' balances, chain heads and last entry times, in one durably committed transaction per batch. The tables
 * are copies of the ledger's ({@code LIKE ... INCLUDING ALL}, with its storage parameters: the same columns,
 * defaults, checks, unique and other indexes) in a scratch schema, dropped afterwards; they have no triggers, and
 * so none of the ledger's checking triggers and no foreign keys (PostgreSQL checks those with triggers). No SHA-256
 * is computed (the hashes are random bytes of the same length) and nothing is read: the ceiling is what the disk
 * and the indexes cost, which a batch through the ledger can approach but never pass.
 */
final class CopyCeiling implements AutoCloseable {
    static final String SCHEMA = "bench_copy_ceiling";

    /** The tables a batch of top-ups writes, in the order the ceiling writes them. */
    static final List<String> TABLES =
            List.of("ledger_references", "wallets", "ledger_transactions", "ledger_events", "ledger_entries");

    private static final HexFormat HEX = HexFormat.of();

    /** One user's wallet as the ceiling keeps it: its id, balance and chain head. */
    private static final class Wallet {
        final long id;
        long balance;
        byte[] head;

        Wallet(long id) {
            this.id = id;
        }
    }

    private final HikariDataSource pool;
    private final BatchRows.Written shape;
    private final int assetId;
    private final long treasuryId;
    private final AtomicLong nextWalletId;
    private final Map<String, Wallet> wallets = new ConcurrentHashMap<>();
    private final AtomicLong batches = new AtomicLong();
    private final LongAdder walletsAdded = new LongAdder();
    private final LongAdder walletsUpdated = new LongAdder();
    private final String update;

    private CopyCeiling(HikariDataSource pool, BatchRows.Written shape, int assetId, long treasuryId, long firstId) {
        this.pool = pool;
        this.shape = shape;
        this.assetId = assetId;
        this.treasuryId = treasuryId;
        this.nextWalletId = new AtomicLong(firstId);
        // The engine's own UPDATE: each wallet found by a primary-key probe, updated through its row address.
        this.update = """
                UPDATE %1$s.wallets w
                   SET balance = v.balance, chain_head = decode(v.head, 'hex'), last_entry_at = ?::timestamptz
                  FROM (SELECT r.row_id, u.*
                          FROM unnest(?::int8[], ?::int8[], ?::text[]) AS u(id, balance, head)
                         CROSS JOIN LATERAL (SELECT o.ctid AS row_id FROM %1$s.wallets o
                                              WHERE o.id = u.id OFFSET 0) r) v
                 WHERE w.ctid = v.row_id
                """.formatted(SCHEMA);
    }

    /**
     * Creates the scratch schema with copies of {@code ledgerSchema}'s tables ({@link #TABLES}, empty but for the
     * asset's TREASURY wallet), writing batches shaped like {@code shape} in asset {@code assetCode}.
     */
    static CopyCeiling create(HikariDataSource pool, String ledgerSchema, String assetCode, BatchRows.Written shape) {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            statement.execute("CREATE SCHEMA " + SCHEMA);
            for (String table : TABLES) {
                statement.execute("CREATE TABLE " + SCHEMA + "." + table + " (LIKE " + ledgerSchema + "." + table
                        + " INCLUDING ALL)");
                try (ResultSet options = statement.executeQuery("SELECT array_to_string(reloptions, ', ') FROM"
                        + " pg_class WHERE oid = '" + ledgerSchema + "." + table + "'::regclass")) {
                    if (options.next() && options.getString(1) != null) {
                        statement.execute(
                                "ALTER TABLE " + SCHEMA + "." + table + " SET (" + options.getString(1) + ")");
                    }
                }
            }
            int assetId;
            long treasuryId;
            long firstId;
            try (PreparedStatement treasury = connection.prepareStatement("SELECT w.id, w.asset_id FROM "
                    + ledgerSchema + ".wallets w JOIN " + ledgerSchema + ".asset_types a ON a.id = w.asset_id"
                    + " WHERE a.code = ? AND w.kind = 'SYSTEM' AND w.owner_id = 'TREASURY'")) {
                treasury.setString(1, assetCode);
                try (ResultSet row = treasury.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("no TREASURY wallet for " + assetCode);
                    }
                    treasuryId = row.getLong(1);
                    assetId = row.getInt(2);
                }
            }
            statement.execute("INSERT INTO " + SCHEMA + ".wallets OVERRIDING SYSTEM VALUE SELECT * FROM " + ledgerSchema
                    + ".wallets WHERE id = " + treasuryId);
            try (ResultSet row = statement.executeQuery("SELECT max(id) FROM " + ledgerSchema + ".wallets")) {
                row.next();
                firstId = row.getLong(1) + 1;
            }
            return new CopyCeiling(pool, shape, assetId, treasuryId, firstId);
        } catch (SQLException e) {
            throw new IllegalStateException("creating the COPY ceiling's tables failed", e);
        }
    }

    /**
     * A step of {@link LibraryLoad}: one batch of {@code size} top-ups' rows, committed. {@code lanes} gives each
     * caller its own part of the users ({@code lane} of {@code callers}), so no two callers write one wallet.
     */
    LibraryLoad.Step step(int size, int users, int callers) {
        AtomicInteger next = new AtomicInteger();
        ThreadLocal<Integer> lanes = ThreadLocal.withInitial(() -> next.getAndIncrement() % callers);
        return (ledger, random, sequence) -> {
            batch(random, size, users, callers, lanes.get(), "cc-" + callers + "-" + sequence);
            return new LibraryLoad.Done(size, 0);
        };
    }

    private void batch(Random random, int size, int users, int callers, int lane, String prefix) {
        Instant now = Instant.now();
        String at = now.toString();
        StringBuilder references = new StringBuilder();
        StringBuilder added = new StringBuilder();
        StringBuilder transactions = new StringBuilder();
        StringBuilder events = new StringBuilder();
        StringBuilder entries = new StringBuilder();
        Set<Wallet> touched = new LinkedHashSet<>();
        byte[] bytes = new byte[32];
        for (int i = 0; i < size; i++) {
            String user = "b" + ((long) random.nextInt(Math.max(1, users / callers)) * callers + lane);
            long amount = 1 + random.nextInt(1_000);
            Wallet wallet = wallets.get(user);
            if (wallet == null) {
                wallet = new Wallet(nextWalletId.getAndIncrement());
                wallets.put(user, wallet);
                added.append(wallet.id)
                        .append("\tUSER\t")
                        .append(user)
                        .append('\t')
                        .append(assetId)
                        .append("\tmain\t0\n");
                walletsAdded.increment();
            }
            wallet.balance += amount;
            random.nextBytes(bytes);
            wallet.head = bytes.clone();
            touched.add(wallet);
            UUID id = transactionId();
            String reference = prefix + "-" + i;
            references.append(reference).append('\n');
            random.nextBytes(bytes);
            transactions
                    .append(id)
                    .append("\tTOPUP\t")
                    .append(reference)
                    .append('\t')
                    .append(assetId)
                    .append('\t')
                    .append(amount)
                    .append('\t')
                    .append(request(user, amount))
                    .append('\t')
                    .append(shape.metadata())
                    .append("\t\\\\x")
                    .append(HEX.formatHex(bytes))
                    .append("\t\\N\t")
                    .append(at)
                    .append('\n');
            events.append(id)
                    .append('\t')
                    .append(shape.eventType())
                    .append('\t')
                    .append(at)
                    .append('\n');
            entries.append(id)
                    .append('\t')
                    .append(wallet.id)
                    .append("\tCREDIT\t")
                    .append(amount)
                    .append('\t')
                    .append(wallet.balance)
                    .append("\t\\\\x")
                    .append(HEX.formatHex(wallet.head))
                    .append('\n');
            entries.append(id)
                    .append('\t')
                    .append(treasuryId)
                    .append("\tDEBIT\t")
                    .append(amount)
                    .append("\t\\N\t\\N\n");
        }
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                copy.copyIn(
                        "COPY " + SCHEMA + ".ledger_references (reference_id) FROM STDIN",
                        new StringReader(references.toString()));
                if (!added.isEmpty()) {
                    copy.copyIn(
                            "COPY " + SCHEMA + ".wallets (id, kind, owner_id, asset_id, account, balance) FROM STDIN",
                            new StringReader(added.toString()));
                }
                copy.copyIn(
                        "COPY " + SCHEMA + ".ledger_transactions (id, type, reference_id, asset_id, amount, request,"
                                + " metadata, fingerprint, actor, created_at) FROM STDIN",
                        new StringReader(transactions.toString()));
                copy.copyIn(
                        "COPY " + SCHEMA + ".ledger_events (transaction_id, type, created_at) FROM STDIN",
                        new StringReader(events.toString()));
                copy.copyIn(
                        "COPY " + SCHEMA + ".ledger_entries (transaction_id, wallet_id, direction, amount,"
                                + " balance_after, chain_hash) FROM STDIN",
                        new StringReader(entries.toString()));
                try (PreparedStatement balances = connection.prepareStatement(update)) {
                    List<Long> ids = new ArrayList<>();
                    List<Long> amounts = new ArrayList<>();
                    List<String> heads = new ArrayList<>();
                    for (Wallet wallet : touched) {
                        ids.add(wallet.id);
                        amounts.add(wallet.balance);
                        heads.add(HEX.formatHex(wallet.head));
                    }
                    balances.setString(1, at);
                    balances.setArray(2, connection.createArrayOf("int8", ids.toArray()));
                    balances.setArray(3, connection.createArrayOf("int8", amounts.toArray()));
                    balances.setArray(4, connection.createArrayOf("text", heads.toArray()));
                    int updated = balances.executeUpdate();
                    if (updated != touched.size()) {
                        throw new IllegalStateException(
                                "the ceiling updated " + updated + " wallets of " + touched.size());
                    }
                    walletsUpdated.add(updated);
                }
                connection.commit();
                batches.incrementAndGet();
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("a COPY ceiling batch failed", e);
        }
    }

    /** A version 7 UUID, time-ordered as the engine's transaction ids are (they land at the primary key's edge). */
    private static UUID transactionId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }

    /** The request as the engine records a top-up's: its fields by wire name, as JSON strings. */
    private static String request(String user, long amount) {
        return "{\"amount\": \"" + amount + "\", \"user_id\": \"" + user + "\", \"asset_code\": \"GOLD_COINS\"}";
    }

    /** What the ceiling wrote per batch so far, for the report. */
    String describe(int size) {
        long n = Math.max(1, batches.get());
        return String.format(
                "per batch of %,d: ledger_references +%,d, ledger_transactions +%,d, ledger_events +%,d,"
                        + " ledger_entries +%,d, wallets +%,.0f and %,.0f updated (balance, chain head, last entry"
                        + " time), in one transaction: a COPY per table, one UPDATE, one commit",
                size, size, size, size, 2 * size, walletsAdded.sum() / (double) n, walletsUpdated.sum() / (double) n);
    }

    @Override
    public void close() {
        try (Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("dropping the COPY ceiling's schema failed", e);
        }
    }
}
