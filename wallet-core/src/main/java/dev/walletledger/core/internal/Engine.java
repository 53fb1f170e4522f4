package dev.walletledger.core.internal;

import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.Anchor;
import dev.walletledger.core.Asset;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Balance;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Hold;
import dev.walletledger.core.HoldPage;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.LedgerMetrics;
import dev.walletledger.core.LedgerStats;
import dev.walletledger.core.Lot;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.core.Position;
import dev.walletledger.core.Routed;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.UserPage;
import dev.walletledger.core.WalletException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The engine behind {@code Ledger}: the one public class of this package, so that everything else here stays
 * package-private. It takes arguments the public API has already checked, and does the work: writes (alone or
 * coalesced), reads (on the primary or routed to a replica), the audit, anchors, statistics. Not an API:
 * {@code Ledger} is, and this may change with any release.
 */
public final class Engine implements AutoCloseable {
    private final LedgerConfig config;
    private final Counters counters = new Counters();
    private final TransactionRunner runner;
    private final AssetDirectory assets;
    private final TransactionReader reader;
    private final WriteEngine writes;
    private final Reads reads;
    private final HoldReads holds;
    private final UserSearch userSearch;
    private final Audit audit;
    private final Anchors anchors;
    private final Statistics statistics;
    private final Reports reports;
    private final Coalescer coalescer; // null when coalescing is off
    private final ReadRouter router;
    private final String insertAsset;
    private final ControlStore controls;
    private final EventFeed feed;
    /** Wakes the feed's long polls on this node when a write commits (other nodes' writes are polled). */
    private final Object committed = new Object();

    /** @param replica a hot standby of the same database, or null */
    public Engine(DataSource primary, DataSource replica, LedgerConfig config, long replicaWaitMillisMax) {
        this(primary, replica, config, replicaWaitMillisMax, Accounts.LOTS);
    }

    /** The engine with another rule for accounts: a seam for the engine's own tests. */
    Engine(DataSource primary, DataSource replica, LedgerConfig config, long replicaWaitMillisMax, Accounts accounts) {
        this.config = config;
        SqlText sql = new SqlText(config.schema());
        this.runner = new TransactionRunner(primary, config, counters);
        this.router = new ReadRouter(
                runner,
                replica == null ? null : new TransactionRunner(replica, config, new Counters()),
                Math.min(config.waitMillisMax(), replicaWaitMillisMax));
        this.assets = new AssetDirectory(sql);
        this.reader = new TransactionReader(sql, accounts);
        this.writes = new WriteEngine(sql, runner, assets, reader, counters, accounts);
        this.reads = new Reads(sql, assets, accounts);
        this.holds = new HoldReads(sql);
        this.userSearch = new UserSearch(sql);
        this.anchors = new Anchors(sql);
        this.audit = new Audit(sql, anchors);
        this.statistics = new Statistics(sql);
        this.reports = new Reports(sql, assets);
        this.coalescer = config.coalescing()
                ? new Coalescer(
                        writes, config.lanes(), config.batchSizeMax(), config.queueMax(), config.waitMillisMax())
                : null;
        this.controls = new ControlStore(sql);
        this.feed = new EventFeed(sql, reader, controls);
        this.insertAsset = sql.format("""
                INSERT INTO {schema}.asset_types (code, name, decimal_places, spend_order) VALUES (?, ?, ?, ?)
                ON CONFLICT (code) DO NOTHING
                """);
    }

    /** One operation: coalesced with others when coalescing is on. */
    public Outcome apply(Operation operation, String actor) {
        try {
            return coalescer != null
                    ? coalescer.apply(operation, actor)
                    : writes.execute(List.of(operation), Collections.singletonList(actor), false)
                            .get(0);
        } finally {
            wake();
        }
    }

    /** Many operations in one database transaction; {@code actors} one per operation (nulls allowed). */
    public List<Outcome> submit(List<Operation> operations, List<String> actors, boolean atomic) {
        try {
            return writes.execute(operations, actors, atomic);
        } finally {
            wake();
        }
    }

    /** How long a long poll sleeps between reads at most: how late it may see another node's events. */
    static final long FEED_POLL_MILLIS_MAX = 100;

    /** Long polls waiting on {@link #committed} now: a write takes its monitor only when one does. */
    private final java.util.concurrent.atomic.AtomicInteger polling = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Wakes this node's long polls. Off the write path's lock when none waits: a poll that starts waiting just
     * after this check sees the write at its next read, at most {@link #FEED_POLL_MILLIS_MAX} later.
     */
    private void wake() {
        if (polling.get() == 0) {
            return;
        }
        synchronized (committed) {
            committed.notifyAll();
        }
    }

    /**
     * A page of the feed after {@code after} (a position), numbering what is new first. With {@code waitMillis},
     * reads again until an event comes or the wait is over: woken by this node's writes, polling for others'.
     */
    public dev.walletledger.core.EventPage events(long after, java.util.Set<String> types, int limit, long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        long pauseMillis = 5;
        // Bounded: each round sleeps at least 5 ms, and the loop ends once the wait (at most 30 s) is over.
        for (int round = 0; ; round++) {
            sequenceEvents();
            dev.walletledger.core.EventPage page = runner.read(c -> feed.read(c, after, types, limit));
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000L;
            if (!page.events().isEmpty() || leftMillis <= 0 || round >= 100_000) {
                return page;
            }
            polling.incrementAndGet();
            try {
                synchronized (committed) {
                    committed.wait(Math.max(1, Math.min(leftMillis, pauseMillis)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return page;
            } finally {
                polling.decrementAndGet();
            }
            pauseMillis = Math.min(FEED_POLL_MILLIS_MAX, pauseMillis * 2);
        }
    }

    /** The feed's end now, once what has committed is numbered. */
    public String eventsEnd() {
        sequenceEvents();
        return runner.read(feed::end);
    }

    /**
     * Numbers the events committed so far (runs of at most {@value EventFeed#SEQUENCE_RUN_MAX}, up to ten): how
     * many. Another node's run in progress leaves them to it.
     */
    public int sequenceEvents() {
        if (!runner.read(feed::pending)) {
            return 0; // a read, not a write: long polls on an idle feed write nothing
        }
        int total = 0;
        for (int run = 0; run < 10; run++) {
            int placed = runner.write(
                    c -> {
                        try (java.sql.Statement statement = c.createStatement()) {
                            // a fresh snapshot for the numbering, once the sequencer's row is held (see EventFeed)
                            statement.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
                        }
                        return feed.sequence(c);
                    },
                    0);
            if (placed <= 0) {
                return total;
            }
            total += placed;
            if (placed < EventFeed.SEQUENCE_RUN_MAX) {
                return total;
            }
        }
        return total;
    }

    public dev.walletledger.core.WalletControls controls(String userId, String assetCode) {
        return runner.read(c -> controls.current(c, userId, assets.require(c, assetCode)));
    }

    public List<dev.walletledger.core.WalletControls> controlsHistory(String userId, String assetCode) {
        return runner.read(c -> controls.history(c, userId, assets.require(c, assetCode)));
    }

    public dev.walletledger.core.WalletControls setControls(dev.walletledger.core.ControlsChange change, String actor) {
        try {
            return runner.write(c -> controls.set(c, change, assets.require(c, change.assetCode()), actor), 1);
        } finally {
            wake();
        }
    }

    /** A hold as it stands; one open past its expiry is released first, so it reads as expired. */
    public Optional<Hold> hold(UUID id) {
        Optional<HoldReads.Found> found = runner.read(c -> holds.byId(c, id));
        if (found.isPresent() && found.get().expired()) {
            writes.expireWallets(List.of(found.get().holder()));
            found = runner.read(c -> holds.byId(c, id));
        }
        return found.map(HoldReads.Found::hold);
    }

    /** A page of the user's holds, newest first; the user's holds open past their expiry are released first. */
    public HoldPage holds(String userId, String assetCode, Hold.Status status, String cursor, int limit) {
        List<Integer> expired = runner.read(c -> holds.expiredAssets(c, userId));
        if (!expired.isEmpty()) {
            writes.expireWallets(expired.stream()
                    .map(asset -> new Plan.Holder(userId, asset))
                    .toList());
        }
        return runner.read(c -> {
            Integer assetId =
                    assetCode == null ? null : assets.require(c, assetCode).id();
            return holds.page(c, userId, assetId, status, cursor, limit);
        });
    }

    /** The sweep: releases the holds past their expiry of up to {@code limit} holds' wallets; how many it did. */
    public int expireHolds(int limit) {
        return writes.expireHolds(limit);
    }

    public int expireLots(int limit) {
        return writes.expireLots(limit);
    }

    /** See {@code WriteEngine.splitLots}: the upgrade to lots, a bounded number of wallets per call. */
    public int splitLots(int limit) {
        return writes.splitLots(limit);
    }

    public List<Lot> lots(String userId, String assetCode) {
        return runner.read(c -> reads.lots(c, userId, assetCode));
    }

    public Balance balance(String userId, String assetCode) {
        return runner.read(c -> reads.balance(c, userId, assetCode));
    }

    public Routed<Balance> balance(Position after, String userId, String assetCode) {
        return router.read(after, c -> reads.balance(c, userId, assetCode), false);
    }

    /** The balance as of {@code at}, once the writes that could date themselves at or before it have finished. */
    public Balance balanceAt(String userId, String assetCode, java.time.Instant at) {
        return runner.read(c -> {
            assets.require(c, assetCode);
            SettledClock.settle(c, "at", at);
            return reads.balanceAt(c, userId, assetCode, at);
        });
    }

    /** @param assetCode null for every asset */
    public OutstandingReport outstanding(java.time.Instant at, String assetCode) {
        // The wait for writers in flight has the reads' deadline; the report, one statement over every account,
        // is a snapshot read like the audit: on a large ledger it takes longer than any deadline of a write.
        runner.read(c -> SettledClock.settle(c, "at", at));
        return runner.snapshot(c -> reports.outstanding(c, at, assetCode));
    }

    /** @param assetCode null for every asset; {@code from} is not after {@code to} */
    public ActivityReport activity(java.time.Instant from, java.time.Instant to, String assetCode) {
        runner.read(c -> SettledClock.settle(c, "to", to));
        return runner.snapshot(c -> reports.activity(c, from, to, assetCode));
    }

    public UserPage users(String prefix, String after, int limit) {
        return runner.read(c -> userSearch.users(c, prefix, after, limit));
    }

    public List<Balance> balances(String userId) {
        return runner.read(c -> reads.balances(c, userId));
    }

    public Routed<List<Balance>> balances(Position after, String userId) {
        return router.read(after, c -> reads.balances(c, userId), false);
    }

    public Optional<TransactionResult> transaction(UUID transactionId) {
        return runner.read(transactionWork(transactionId));
    }

    public Routed<Optional<TransactionResult>> transaction(Position after, UUID transactionId) {
        return router.read(after, transactionWork(transactionId), false);
    }

    public Optional<TransactionResult> transactionByReference(String referenceId) {
        return runner.read(transactionByReferenceWork(referenceId));
    }

    public Routed<Optional<TransactionResult>> transactionByReference(Position after, String referenceId) {
        return router.read(after, transactionByReferenceWork(referenceId), false);
    }

    public HistoryPage history(String userId, String assetCode, String cursor, int limit) {
        return runner.snapshot(c -> reads.history(c, userId, assetCode, cursor, limit));
    }

    public Routed<HistoryPage> history(Position after, String userId, String assetCode, String cursor, int limit) {
        return router.read(after, c -> reads.history(c, userId, assetCode, cursor, limit), true);
    }

    private TransactionRunner.Work<Optional<TransactionResult>> transactionWork(UUID transactionId) {
        return c -> {
            Optional<TransactionResult> found = reader.byId(c, transactionId);
            return found.isEmpty() ? found : Optional.of(reader.withReversals(c, found.get()));
        };
    }

    private TransactionRunner.Work<Optional<TransactionResult>> transactionByReferenceWork(String referenceId) {
        return c -> {
            TransactionResult found =
                    reader.byReferences(c, List.of(referenceId)).get(referenceId);
            return found == null ? Optional.empty() : Optional.of(reader.withReversals(c, found));
        };
    }

    public boolean hasReplica() {
        return router.hasReplica();
    }

    /** The primary's write-ahead log position now. */
    public Position position() {
        return runner.read(c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT pg_current_wal_insert_lsn()::text");
                    ResultSet row = statement.executeQuery()) {
                row.next();
                return new Position(row.getString(1));
            }
        });
    }

    public OptionalLong replicaLagBytes() {
        if (!router.hasReplica()) {
            return OptionalLong.empty();
        }
        try {
            return router.lagBytes(position());
        } catch (WalletException e) {
            return OptionalLong.empty();
        }
    }

    public List<Asset> assets() {
        return runner.read(c -> {
            List<Asset> result = new ArrayList<>();
            assets.all(c).values().forEach(row -> result.add(row.asset()));
            result.sort((a, b) -> a.code().compareTo(b.code()));
            return result;
        });
    }

    /** Adds an asset type (a no-op when the same one exists); {@code ASSET_EXISTS} for another definition. */
    public Asset addAsset(Asset asset) {
        Asset existing = runner.write(
                c -> {
                    try (PreparedStatement statement = c.prepareStatement(insertAsset)) {
                        statement.setString(1, asset.code());
                        statement.setString(2, asset.name());
                        statement.setInt(3, asset.decimalPlaces());
                        statement.setString(4, asset.spendOrder().name());
                        statement.executeUpdate();
                    }
                    return assets.require(c, asset.code()).asset();
                },
                0);
        if (!existing.equals(asset)) {
            throw WalletException.of(
                    ErrorCode.ASSET_EXISTS,
                    "asset " + asset.code() + " exists as " + existing.name() + " with " + existing.decimalPlaces()
                            + " decimal places and spend order " + existing.spendOrder(),
                    Map.of("asset_code", asset.code()));
        }
        return existing;
    }

    /** The full audit, in one snapshot; with {@code anchor} (or null), also the anchor check. */
    public AuditReport verify(Anchor anchor, AuditProgress progress) {
        return runner.snapshot(c -> audit.verify(c, progress, anchor));
    }

    /** An anchor over every chain head, once the writes in flight have committed. */
    public Anchor anchor() {
        long entryId = runner.write(anchors::settledEntryId, 0);
        return runner.snapshot(c -> anchors.anchor(c, entryId));
    }

    public LedgerStats stats() {
        return runner.snapshot(statistics::stats);
    }

    /** Whether the database answers {@code SELECT 1} within {@code millis} (one attempt); never throws. */
    public boolean healthy(long millis) {
        try {
            return runner.readOnce(
                    c -> {
                        try (PreparedStatement statement = c.prepareStatement("SELECT 1");
                                ResultSet row = statement.executeQuery()) {
                            return row.next();
                        }
                    },
                    millis);
        } catch (WalletException e) {
            return false;
        }
    }

    public LedgerMetrics metrics() {
        return counters.snapshot(coalescer, router);
    }

    public LedgerConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (coalescer != null) {
            coalescer.close();
        }
    }
}
