package dev.walletledger.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates and locks the USER accounts a write needs, in the one lock order: the rule that keeps writes free
 * of deadlocks.
 *
 * <p>A wallet (one user in one asset) is all its accounts, and its {@code main} account guards them: a write
 * locks the main account of every wallet it touches, in ascending (owner_id COLLATE "C", asset_id) order, and
 * only then locks, reads or creates the wallet's other accounts. So two writers only ever wait for each other
 * on main accounts, each taking them in the same order: no cycle can form. Creating comes first: the main
 * accounts of the wallets to be credited, in the same order ({@code INSERT ... ON CONFLICT DO NOTHING}, which
 * waits on a concurrent creator's key the way a lock would), then, under the main locks, the other accounts to
 * be credited. A held account is the exception: it is created only beside an existing main account (a hold of
 * a user with no wallet is refused for the missing wallet, and creates nothing). SYSTEM wallets are never
 * locked or updated.
 *
 * <p>Every account of a locked wallet is returned, fresh: an account that changed while this writer waited is
 * returned as it is now (a locking read follows the row to its latest version). An account created while it
 * waited is not in the statement's snapshot; the main account's count of accounts (see V2) shows it was missed,
 * and the wallet's accounts are read again, in a statement of their own. At REPEATABLE READ and SERIALIZABLE
 * the count's update fails the waiting writer (40001) and it retries.
 */
final class Locks {
    /** The locked accounts, and the database clock once every lock was held. */
    record Locked(Map<Plan.WalletKey, Plan.LockedWallet> wallets, Instant clock) {}

    private static final Columns<Plan.Holder> HOLDERS = Columns.of(
            Columns.column("owner_id", "text", Plan.Holder::owner),
            Columns.column("asset_id", "int4", Plan.Holder::assetId));
    private static final Columns<Plan.WalletKey> KEYS = Columns.of(
            Columns.column("owner_id", "text", Plan.WalletKey::owner),
            Columns.column("asset_id", "int4", Plan.WalletKey::assetId),
            Columns.column("account", "text", Plan.WalletKey::account));

    /** The columns every locking statement returns of an account, by name. */
    private static final List<String> ACCOUNT = List.of(
            "id",
            "owner_id",
            "asset_id",
            "account",
            "balance",
            "chain_head",
            "last_entry_at",
            "status",
            "max_balance",
            "daily_spend_limit",
            "spent_on",
            "spent");

    /** {@link #ACCOUNT}'s columns of the row {@code alias}. */
    private static String account(String alias) {
        return String.join(", ", ACCOUNT.stream().map(c -> alias + "." + c).toList());
    }

    private final String createMains;
    private final String lock;
    private final String lockOthers;
    private final String createOthers;

    Locks(SqlText sql) {
        // Driven by the unnest rows, sorted into the lock order; each conflict check is a probe of
        // wallets_owner_key. Every statement here runs under IndexPlans' settings (the transaction began with them).
        this.createMains = sql.format("""
                INSERT INTO {schema}.wallets (kind, owner_id, asset_id, account, balance)
                SELECT 'USER', k.owner_id, k.asset_id, 'main', 0
                  FROM %s
                 ORDER BY k.owner_id COLLATE "C", k.asset_id
                ON CONFLICT (kind, owner_id, asset_id, account) DO NOTHING
                """.formatted(HOLDERS.unnest("k")));
        // The main accounts, sorted into the lock order and each locked by its own LATERAL subquery (a locking
        // subquery is never flattened): one probe of wallets_owner_key with all four columns fixed. Then each
        // locked wallet's other accounts, a range of the same index with its first three fixed, and the accounts
        // to be credited that do not exist yet, created under the main lock. The clock is read once every lock
        // is held: its row needs both counts, which need every lock. The outer query always returns the clock's
        // row, even when nothing matched.
        this.lock = sql.format("""
                WITH mains AS MATERIALIZED (
                    SELECT %1$s, COALESCE(m.accounts, 1) AS accounts, 'existing' AS source
                      FROM (SELECT * FROM %2$s ORDER BY k.owner_id COLLATE "C", k.asset_id OFFSET 0) k
                     CROSS JOIN LATERAL (
                           SELECT w.* FROM {schema}.wallets w
                            WHERE w.kind = 'USER' AND w.owner_id = k.owner_id AND w.asset_id = k.asset_id
                              AND w.account = 'main'
                              FOR UPDATE) m
                ), others AS MATERIALIZED (
                    SELECT %4$s, NULL::int AS accounts, 'existing' AS source
                      FROM mains m
                     CROSS JOIN LATERAL (
                           SELECT w.* FROM {schema}.wallets w
                            WHERE w.kind = 'USER' AND w.owner_id = m.owner_id AND w.asset_id = m.asset_id
                              AND w.account <> 'main'
                            ORDER BY w.kind, w.owner_id, w.asset_id, w.account
                              FOR UPDATE) o
                ), created AS (
                    INSERT INTO {schema}.wallets (kind, owner_id, asset_id, account, balance)
                    SELECT 'USER', c.owner_id, c.asset_id, c.account, 0
                      FROM %3$s
                      JOIN mains m ON m.owner_id = c.owner_id AND m.asset_id = c.asset_id
                     ORDER BY c.owner_id COLLATE "C", c.asset_id, c.account COLLATE "C"
                    ON CONFLICT (kind, owner_id, asset_id, account) DO NOTHING
                    RETURNING %5$s, NULL::int AS accounts, 'created' AS source
                ), clock AS (
                    SELECT clock_timestamp() AS now
                      FROM (SELECT count(*) FROM mains) AS all_mains, (SELECT count(*) FROM others) AS all_others,
                           (SELECT count(*) FROM created) AS all_created
                )
                SELECT c.now, l.*
                  FROM clock c
                  LEFT JOIN (SELECT * FROM mains UNION ALL SELECT * FROM others UNION ALL SELECT * FROM created) l
                    ON true
                """.formatted(
                        account("m"), HOLDERS.unnest("k"), KEYS.unnest("c"), account("o"), String.join(", ", ACCOUNT)));
        // Accounts created under their main account's lock (a transfer's receiving lots), in the lock order.
        this.createOthers = sql.format("""
                INSERT INTO {schema}.wallets (kind, owner_id, asset_id, account, balance)
                SELECT 'USER', c.owner_id, c.asset_id, c.account, 0
                  FROM %s
                 ORDER BY c.owner_id COLLATE "C", c.asset_id, c.account COLLATE "C"
                ON CONFLICT (kind, owner_id, asset_id, account) DO NOTHING
                RETURNING id, owner_id, asset_id, account
                """.formatted(KEYS.unnest("c")));
        // The second look at the wallets whose count showed an account this writer's snapshot missed.
        this.lockOthers = sql.format("""
                SELECT %1$s, NULL::int AS accounts, 'existing' AS source
                  FROM (SELECT * FROM %2$s ORDER BY k.owner_id COLLATE "C", k.asset_id OFFSET 0) k
                 CROSS JOIN LATERAL (
                       SELECT w.* FROM {schema}.wallets w
                        WHERE w.kind = 'USER' AND w.owner_id = k.owner_id AND w.asset_id = k.asset_id
                          AND w.account <> 'main'
                        ORDER BY w.kind, w.owner_id, w.asset_id, w.account
                          FOR UPDATE) o
                """.formatted(account("o"), HOLDERS.unnest("k")));
    }

    /**
     * Creates, empty, accounts other than main of wallets whose main account this transaction holds locked (so no
     * one else can create them meanwhile), and returns them, locked as their creator holds them.
     */
    Map<Plan.WalletKey, Plan.LockedWallet> createUnderLock(Connection connection, Collection<Plan.WalletKey> keys)
            throws SQLException {
        List<Plan.WalletKey> ordered = keys.stream()
                .sorted(java.util.Comparator.comparing(
                                (Plan.WalletKey k) -> new Plan.Holder(k.owner(), k.assetId()), Invariants.LOCK_ORDER)
                        .thenComparing(Plan.WalletKey::account))
                .toList();
        Map<Plan.WalletKey, Plan.LockedWallet> created = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(createOthers)) {
            KEYS.bind(connection, statement, 1, ordered);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Plan.WalletKey key = new Plan.WalletKey(
                            rows.getString("owner_id"), rows.getInt("asset_id"), rows.getString("account"));
                    created.put(key, new Plan.LockedWallet(rows.getLong("id"), key, 0, null));
                }
            }
        }
        Invariants.require(created.size() == ordered.size(), "accounts created under their wallet's lock are new");
        return created;
    }

    /**
     * Creates the accounts to be credited and locks every account of every wallet in {@code holders}. An account
     * to be credited must belong to one of them.
     */
    Locked lock(Connection connection, Collection<Plan.Holder> holders, Collection<Plan.WalletKey> credited)
            throws SQLException {
        return request(holders, credited).run(connection);
    }

    /**
     * The result set of {@link Request#sql()}'s locking statement, the current result of {@code statement}, after
     * the creation's update count when there is one.
     */
    static ResultSet lockRows(java.sql.Statement statement) throws SQLException {
        while (statement.getResultSet() == null) {
            Invariants.require(
                    statement.getMoreResults() || statement.getUpdateCount() != -1, "the lock statement follows");
        }
        return statement.getResultSet();
    }

    /** What {@link #lock} is asked for, sorted into the lock order. */
    Request request(Collection<Plan.Holder> holders, Collection<Plan.WalletKey> credited) {
        List<Plan.Holder> ordered = inLockOrder(holders);
        Set<Plan.Holder> creditedMains = new LinkedHashSet<>();
        List<Plan.WalletKey> creditedOthers = new ArrayList<>();
        for (Plan.WalletKey key : credited) {
            Plan.Holder holder = new Plan.Holder(key.owner(), key.assetId());
            Invariants.require(holders.contains(holder), "an account to be credited belongs to a locked wallet");
            if (!key.account().equals(Accounts.HELD)) {
                creditedMains.add(holder); // a held account is only ever made beside an existing main one
            }
            if (!key.account().equals(Accounts.MAIN)) {
                creditedOthers.add(key); // for a wallet whose main account exists
            }
        }
        return new Request(
                Set.copyOf(holders), Set.copyOf(credited), ordered, inLockOrder(creditedMains), creditedOthers);
    }

    /**
     * The statements that create the main accounts to be credited and lock every wallet asked for: one round trip
     * (the creation, when there is one, then the lock, each with its own snapshot, so the lock sees what the
     * creation made), which another statement may be sent ahead of ({@link References#claim}).
     */
    final class Request {
        private final Set<Plan.Holder> holders;
        private final Set<Plan.WalletKey> credited;
        private final List<Plan.Holder> ordered;
        private final List<Plan.Holder> creditedMains;
        private final List<Plan.WalletKey> creditedOthers;

        private Request(
                Set<Plan.Holder> holders,
                Set<Plan.WalletKey> credited,
                List<Plan.Holder> ordered,
                List<Plan.Holder> creditedMains,
                List<Plan.WalletKey> creditedOthers) {
            this.holders = holders;
            this.credited = credited;
            this.ordered = ordered;
            this.creditedMains = creditedMains;
            this.creditedOthers = creditedOthers;
        }

        /** Whether this request locks at least {@code holders} and creates at least {@code credited}. */
        boolean covers(Collection<Plan.Holder> holders, Collection<Plan.WalletKey> credited) {
            return this.holders.containsAll(holders) && this.credited.containsAll(credited);
        }

        /** Whether it creates main accounts (those that do not exist yet) before it locks. */
        boolean createsMains() {
            return !creditedMains.isEmpty();
        }

        String sql() {
            return creditedMains.isEmpty() ? lock : createMains + ";\n" + lock;
        }

        /** Binds the parameters from {@code first}; returns the next free one. */
        int bind(Connection connection, PreparedStatement statement, int first) throws SQLException {
            int next = first;
            if (!creditedMains.isEmpty()) {
                next = HOLDERS.bind(connection, statement, next, creditedMains);
            }
            next = HOLDERS.bind(connection, statement, next, ordered);
            return KEYS.bind(connection, statement, next, creditedOthers);
        }

        /** Runs the request in a round trip of its own. */
        Locked run(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql())) {
                bind(connection, statement, 1);
                statement.execute();
                try (ResultSet rows = lockRows(statement)) {
                    return finish(connection, rows);
                }
            }
        }

        /** Reads the locking statement's {@code rows}, and reads again what its snapshot missed. */
        Locked finish(Connection connection, ResultSet rows) throws SQLException {
            Map<Plan.WalletKey, Plan.LockedWallet> wallets = new HashMap<>();
            Counts counts = new Counts();
            Instant clock = read(rows, wallets, counts, null);
            List<Plan.Holder> missed = counts.missed(ordered);
            if (!missed.isEmpty()) {
                Counts again = new Counts();
                again.expected.putAll(counts.expected);
                for (Plan.Holder holder : missed) {
                    again.seen.put(holder, 1); // its main account
                }
                try (PreparedStatement statement = connection.prepareStatement(lockOthers)) {
                    HOLDERS.bind(connection, statement, 1, missed);
                    try (ResultSet more = statement.executeQuery()) {
                        clock = read(more, wallets, again, clock);
                    }
                }
                if (!again.missed(missed).isEmpty()) {
                    // Only a snapshot older than the count misses an account twice: retry the transaction.
                    throw new SQLException("an account was created while this writer waited for its wallet", "40001");
                }
            }
            return new Locked(wallets, clock);
        }
    }

    /** Per wallet: how many accounts its main account counts, and how many existing ones were read. */
    private static final class Counts {
        final Map<Plan.Holder, Integer> expected = new HashMap<>();
        final Map<Plan.Holder, Integer> seen = new HashMap<>();

        List<Plan.Holder> missed(List<Plan.Holder> holders) {
            List<Plan.Holder> missed = new ArrayList<>();
            for (Plan.Holder holder : holders) {
                Integer count = expected.get(holder);
                if (count != null && !count.equals(seen.getOrDefault(holder, 0))) {
                    missed.add(holder);
                }
            }
            return missed;
        }
    }

    /**
     * Reads locked accounts into {@code wallets}, counting them. Returns the transaction's time: the database
     * clock the statement read once every lock was held (or {@code clock}, for a statement without one), moved
     * up to the latest entry time of an account read, so time never runs backwards along an account (a clock
     * stepped back).
     */
    private static Instant read(
            ResultSet rows, Map<Plan.WalletKey, Plan.LockedWallet> wallets, Counts counts, Instant clock)
            throws SQLException {
        {
            boolean withClock = rows.getMetaData().getColumnLabel(1).equals("now");
            while (rows.next()) {
                if (withClock) {
                    Instant now = rows.getObject("now", OffsetDateTime.class).toInstant();
                    clock = clock == null || now.isAfter(clock) ? now : clock;
                }
                if (rows.getObject("id") == null) {
                    continue;
                }
                Plan.WalletKey key = new Plan.WalletKey(
                        rows.getString("owner_id"), rows.getInt("asset_id"), rows.getString("account"));
                Plan.Holder holder = new Plan.Holder(key.owner(), key.assetId());
                Plan.LockedWallet wallet = new Plan.LockedWallet(
                        rows.getLong("id"), key, rows.getLong("balance"), rows.getBytes("chain_head"));
                wallet.controls(
                        dev.walletledger.core.WalletStatus.valueOf(rows.getString("status")),
                        (Long) rows.getObject("max_balance"),
                        (Long) rows.getObject("daily_spend_limit"),
                        rows.getObject("spent_on", java.time.LocalDate.class),
                        rows.getLong("spent"));
                wallets.put(key, wallet);
                if (rows.getString("source").equals("existing")) {
                    counts.seen.merge(holder, 1, Integer::sum);
                }
                int accounts = rows.getInt("accounts");
                if (!rows.wasNull()) {
                    counts.expected.put(holder, accounts);
                }
                OffsetDateTime lastEntryAt = rows.getObject("last_entry_at", OffsetDateTime.class);
                if (lastEntryAt != null && lastEntryAt.toInstant().isAfter(clock)) {
                    clock = lastEntryAt.toInstant();
                }
            }
        }
        return clock;
    }

    /** {@code holders} in the lock order, checked strictly ascending. */
    static List<Plan.Holder> inLockOrder(Collection<Plan.Holder> holders) {
        List<Plan.Holder> ordered =
                holders.stream().sorted(Invariants.LOCK_ORDER).toList();
        for (int k = 1; k < ordered.size(); k++) {
            Invariants.require(
                    Invariants.LOCK_ORDER.compare(ordered.get(k - 1), ordered.get(k)) < 0,
                    "wallets are distinct and taken in strictly ascending lock order");
        }
        return ordered;
    }
}
