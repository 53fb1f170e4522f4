package dev.walletledger.core;

import dev.walletledger.core.internal.Engine;
import dev.walletledger.core.internal.WebhookStore;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A double-entry wallet ledger on PostgreSQL. Thread-safe; build one per database schema and share it.
 *
 * <pre>{@code
 * DataSource dataSource = ...;                       // a pool, e.g. HikariCP
 * LedgerConfig config = LedgerConfig.defaults();     // schema "wallet", READ COMMITTED
 * Ledger.migrate(dataSource, config);                // creates or upgrades the schema
 * Ledger ledger = new Ledger(dataSource, config);
 * TransactionResult r = ledger.topUp(Operation.topUp("user_alice", "GOLD_COINS", 10_000, "payment_pi_1"));
 * r.balanceAfter();                                  // 10000
 * }</pre>
 *
 * <p>Every write either returns its result or throws a {@link WalletException}; nothing is
 * acknowledged before its commit. Writes are idempotent by reference id, so any call that failed with a
 * retryable code ({@link ErrorCode#retryable()}) — or whose answer was lost — can be sent again as is.
 */
public final class Ledger implements AutoCloseable {
    /** The longest a read waits for the replica before the primary serves it. */
    public static final long REPLICA_WAIT_MILLIS_MAX = 2_000;

    /** How long {@link #healthy()} waits for the database's answer. */
    public static final long HEALTH_MILLIS_MAX = 1_500;

    private final Engine engine;
    private final WebhookStore webhooks;

    /**
     * Builds a ledger over a migrated schema (see {@link #migrate}). Opens no connection yet; starts
     * {@link LedgerConfig#lanes()} committer threads, which {@link #close()} stops.
     */
    public Ledger(DataSource dataSource, LedgerConfig config) {
        this(dataSource, null, config);
    }

    /**
     * As {@link #Ledger(DataSource, LedgerConfig)}, with a read replica of the same database (a hot
     * standby streaming from the primary) for {@link #reads(Position)}; null for none. Writes, the audit,
     * anchors and the plain reads ({@link #balance}, ...) always use the primary.
     */
    public Ledger(DataSource dataSource, DataSource replica, LedgerConfig config) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(config, "config");
        this.engine = new Engine(dataSource, replica, config, REPLICA_WAIT_MILLIS_MAX);
        this.webhooks = new WebhookStore(dataSource, config);
    }

    /**
     * Creates or upgrades the ledger's schema with the migrations shipped in this jar (Flyway, history
     * table {@code flyway_schema_history} in the ledger's schema). Safe to run at every start and from
     * several processes at once.
     *
     * @return how many migrations were applied now
     */
    public static int migrate(DataSource dataSource, LedgerConfig config) {
        int applied = Migrations.migrate(dataSource, config.schema());
        splitLots(dataSource, config);
        return applied;
    }

    /** Wallets the upgrade to lots splits per transaction. */
    static final int LOT_SPLITS_PER_TRANSACTION = 100;
    /** The most rounds of the upgrade to lots in one migrate: 100 million wallets; a later migrate goes on. */
    static final int LOT_SPLIT_ROUNDS_MAX = 1_000_000;

    /**
     * The upgrade to lots, after V5: each wallet from before lots that was ever given a bonus or a credit adjustment has the free part of
     * its coins (found by replaying its history) moved from its paid {@code main} account to its {@code free} lot,
     * once. Nothing to do, and one short query, on a ledger already split or made with lots. The rounds are bounded
     * by the wallets listed, which nothing adds to.
     */
    private static void splitLots(DataSource dataSource, LedgerConfig config) {
        LedgerConfig alone = config.withCoalescing(0, config.batchSizeMax(), config.queueMax(), config.waitMillisMax());
        try (Engine engine = new Engine(dataSource, null, alone, REPLICA_WAIT_MILLIS_MAX)) {
            for (int round = 0; round < LOT_SPLIT_ROUNDS_MAX; round++) {
                if (engine.splitLots(LOT_SPLITS_PER_TRANSACTION) == 0) { // each round removes what it split
                    return;
                }
            }
        }
    }

    public LedgerConfig config() {
        return engine.config();
    }

    /** Credits purchased currency to the user (creating the wallet on its first credit). */
    public TransactionResult topUp(Operation.TopUp request) {
        return apply(request);
    }

    /** Credits granted currency to the user from the asset's bonus pool. */
    public TransactionResult grantBonus(Operation.Bonus request) {
        return apply(request);
    }

    /** Debits the user; {@link ErrorCode#INSUFFICIENT_FUNDS} when the balance is short. */
    public TransactionResult spend(Operation.Spend request) {
        return apply(request);
    }

    /**
     * Moves currency from one user to another (creating the recipient's wallet if missing);
     * {@link ErrorCode#INSUFFICIENT_FUNDS} when the sender's balance is short.
     */
    public TransactionResult transfer(Operation.Transfer request) {
        return apply(request);
    }

    /**
     * Refunds all or part of a transaction with the mirror image of its postings;
     * {@link ErrorCode#REVERSAL_EXCEEDS_ORIGINAL}, {@link ErrorCode#NOT_REVERSIBLE},
     * {@link ErrorCode#INSUFFICIENT_FUNDS} (the coins are gone) or {@link ErrorCode#TRANSACTION_NOT_FOUND}.
     */
    public TransactionResult reverse(Operation.Reversal request) {
        return apply(request);
    }

    /** Takes back all or part of a top-up; see {@link Operation.Chargeback} and {@link ChargebackPolicy}. */
    public TransactionResult chargeBack(Operation.Chargeback request) {
        return apply(request);
    }

    /** An operator's correction against the asset's ADJUSTMENTS wallet; pass the operator as {@code actor}. */
    public TransactionResult adjust(Operation.Adjustment request, String actor) {
        return apply(request, actor);
    }

    /**
     * Applies any operation; the result is marked {@code replayed} when the reference was already applied.
     * With coalescing on, concurrent calls share database transactions (each keeps its own outcome).
     */
    public TransactionResult apply(Operation request) {
        return apply(request, null);
    }

    /**
     * Applies any operation on behalf of {@code actor} (an API key id, an operator; null when unknown),
     * which is recorded with the transaction and covered by its hash. The actor is not part of the request
     * for idempotency: a replay answers with the original transaction and its original actor.
     */
    public TransactionResult apply(Operation request, String actor) {
        try {
            Checks.submittable(Objects.requireNonNull(request, "request"), 0, false);
        } catch (WalletException outOfRange) {
            // A hold, top-up or bonus whose expires_at has passed since it was applied: its retry replays the first
            // answer (a client whose answer was lost retries with the same request, maybe after a short expiry).
            return replayOf(request).orElseThrow(() -> outOfRange);
        }
        Outcome outcome = engine.apply(request, Checks.optionalText("actor", actor));
        if (outcome instanceof Outcome.Refused refused) {
            throw refused.error();
        }
        return ((Outcome.Applied) outcome).result();
    }

    /** The transaction applied under the request's reference, when it was this very request. */
    private Optional<TransactionResult> replayOf(Operation request) {
        return engine.transactionByReference(request.referenceId())
                .filter(recorded -> recorded.operation().fields().equals(request.fields())
                        && recorded.operation().type() == request.type()
                        && recorded.metadata().json().equals(request.metadata().json()))
                .map(TransactionResult::asReplay);
    }

    /** Applies many operations in one database transaction; see {@link Batch} for the two modes. */
    public BatchResult submit(Batch batch) {
        return submit(batch, null);
    }

    /** {@link #submit(Batch)} on behalf of {@code actor} (see {@link #apply(Operation, String)}). */
    public BatchResult submit(Batch batch, String actor) {
        Objects.requireNonNull(batch, "batch");
        for (int i = 0; i < batch.operations().size(); i++) {
            try {
                Checks.submittable(batch.operations().get(i), i, true);
            } catch (WalletException outOfRange) {
                // as in apply: an operation recorded identically replays in the batch, whatever the time now
                if (replayOf(batch.operations().get(i)).isEmpty()) {
                    throw outOfRange;
                }
            }
        }
        String by = Checks.optionalText("actor", actor);
        List<String> actors = Collections.nCopies(batch.operations().size(), by);
        return new BatchResult(engine.submit(batch.operations(), actors, batch.mode() == Batch.Mode.ATOMIC));
    }

    /**
     * Reserves part of the user's spendable balance: see {@link Operation.Hold}. The answer's {@link
     * TransactionResult#holdId()} names the hold for its capture or void.
     */
    public TransactionResult hold(Operation.Hold request) {
        return apply(request);
    }

    /** Captures an open hold: see {@link Operation.Capture}. */
    public TransactionResult capture(Operation.Capture request) {
        return apply(request);
    }

    /** Voids an open hold: see {@link Operation.VoidHold}. */
    public TransactionResult voidHold(Operation.VoidHold request) {
        return apply(request);
    }

    /**
     * A hold as it stands. A hold open past its expiry is released first (a write, under its reserved reference),
     * so it reads as {@link Hold.Status#EXPIRED}, never as open.
     */
    public Optional<Hold> hold(UUID holdId) {
        return engine.hold(Objects.requireNonNull(holdId, "holdId"));
    }

    /**
     * The user's holds, newest first, {@code limit} (1-{@value HistoryPage#LIMIT_MAX}) at a time; the user's holds
     * open past their expiry are released first.
     *
     * @param assetCode one asset, or null for all
     * @param status    one status, or null for all
     * @param cursor    null for the first page, else a {@link HoldPage#nextCursor()}
     */
    public HoldPage holds(String userId, String assetCode, Hold.Status status, String cursor, int limit) {
        return engine.holds(
                Checks.identifier("user_id", userId),
                assetCode == null ? null : Checks.assetCode(assetCode),
                status,
                cursor,
                checkedLimit(limit));
    }

    /**
     * Releases holds past their expiry: those of the wallets of up to {@code limit} (1-{@value
     * HistoryPage#LIMIT_MAX}) such holds, soonest first, in one transaction. A write releases its wallets' expired
     * holds on its way, and the server sweeps; this is the sweep for library and CLI users. Returns how many holds
     * it expired (0: none was due).
     */
    public int expireHolds(int limit) {
        return engine.expireHolds(checkedLimit(limit));
    }

    /**
     * Expires lots past their expiry: each lot's coins go to the asset's BREAKAGE, under the lot's reserved
     * reference {@code wallet-ledger:lot-expiry:<wallet id>}, so exactly once whoever posts it. Takes up to {@code
     * limit} (1-{@value HistoryPage#LIMIT_MAX}) lots past their expiry, soonest first, with their wallets' expired
     * holds, in one transaction, going on from where this ledger's previous call ended. A write expires its wallets'
     * lots on its way, a spend never uses an expired lot swept or not, and the server sweeps; this is the sweep for
     * library and CLI users. Returns how many expiries it posted (0: none was due among those lots).
     */
    public int expireLots(int limit) {
        return engine.expireLots(checkedLimit(limit));
    }

    /**
     * A page of the event feed: the events after {@code query.after()} (from the feed's start when empty), of its
     * types, in feed order. The feed has exactly one event per committed transaction and controls change, written
     * in the change's own database transaction, and paging by {@link EventPage#next()} is gap-free: a reader that
     * paged to the end never later finds an event before that point. Per wallet, the feed's order is the order of
     * the wallet's entries (and controls changes); across wallets, it is the order in which the ledger saw the
     * changes committed. With a {@code waitFor}, an empty read waits up to that long for the next event. History from
     * before the ledger had events (an upgraded ledger) is not in the feed: it starts at the upgrade.
     */
    public EventPage events(EventQuery query) {
        Objects.requireNonNull(query, "query");
        long after = query.after().map(EventQuery::position).orElse(0L);
        return engine.events(
                after, query.types(), query.limit(), query.waitFor().toMillis());
    }

    /**
     * The cursor of the feed's end now, once the events waiting for a position are numbered (at most 100,000 per
     * call: only a ledger whose feed nobody read for long, on a node that does not number it every second as the
     * server does, has more waiting; reading after this cursor then gives those first).
     */
    public String eventsEnd() {
        return engine.eventsEnd();
    }

    /**
     * Gives the events committed so far their feed positions (every read of the feed does this first; the server
     * also does it in the background). Returns how many it numbered.
     */
    public int sequenceEvents() {
        return engine.sequenceEvents();
    }

    /** The wallet's controls in force (ACTIVE and no limits when never set); {@code ASSET_NOT_FOUND}. */
    public WalletControls controls(String userId, String assetCode) {
        return engine.controls(Checks.identifier("user_id", userId), Checks.assetCode(assetCode));
    }

    /** The wallet's controls changes, newest first (at most 1,000); {@code ASSET_NOT_FOUND}. */
    public List<WalletControls> controlsHistory(String userId, String assetCode) {
        return engine.controlsHistory(Checks.identifier("user_id", userId), Checks.assetCode(assetCode));
    }

    /**
     * Changes a wallet's controls (see {@link ControlsChange}, {@link WalletStatus}), creating the wallet, empty, when
     * it has none. The change is an append-only record with its reason and {@code actor}, and an event (its type
     * from the status change: {@code wallet.frozen}, {@code wallet.unfrozen}, {@code wallet.closed}, {@code
     * wallet.reopened}, else {@code wallet.limits_changed}). It takes the wallet's lock, like every write of the
     * wallet: a write that commits after it obeys it. A change that changes nothing records nothing. Returns the
     * controls in force after it. {@code ASSET_NOT_FOUND}.
     */
    public WalletControls setControls(ControlsChange change, String actor) {
        Objects.requireNonNull(change, "change");
        return engine.setControls(change, actor == null ? null : Checks.identifier("actor", actor));
    }

    /** The user's lots in the asset that hold coins, soonest expiry first (those that never expire last). */
    public List<Lot> lots(String userId, String assetCode) {
        return engine.lots(Checks.identifier("user_id", userId), Checks.assetCode(assetCode));
    }

    /**
     * The user's balance: {@code WALLET_NOT_FOUND} if never credited, {@code ASSET_NOT_FOUND}. The balance is
     * what the user may spend now: the sum of the lots not past their expiry (an expired lot counts for nothing,
     * swept or not), with its paid and free parts, the lots that expire (soonest first) and what open holds hold.
     */
    public Balance balance(String userId, String assetCode) {
        return engine.balance(Checks.identifier("user_id", userId), Checks.assetCode(assetCode));
    }

    /**
     * The user's balance as it stood at {@code at}, from the entries: each account's balance after its latest entry
     * dated at or before {@code at} (zero for an account with none), a lot whose expiry is at or before {@code at}
     * counting for nothing (its expiry posted or not), {@code held} what open holds held then. {@code at} is kept to
     * the microsecond (the ledger's resolution). Exact while writers are active: the read first waits (at most 5 s,
     * then {@code BUSY}) for the writes in flight that could still date themselves at or before {@code at}, so the
     * same question always gets the same answer. {@code VALIDATION_FAILED} (field {@code at}) when {@code at} is
     * after the database's clock; {@code WALLET_NOT_FOUND} and {@code ASSET_NOT_FOUND} as {@link #balance}.
     */
    public Balance balanceAt(String userId, String assetCode, Instant at) {
        String user = Checks.identifier("user_id", userId);
        String asset = Checks.assetCode(assetCode);
        return engine.balanceAt(user, asset, micros(required("at", at)));
    }

    /**
     * What is outstanding at {@code at}, per asset (or one): paid and free coins of the lots not past their expiry,
     * what open holds held (apart, not split by class), what expires within 30 days after, and how many wallets held
     * coins; see {@link OutstandingReport}. One snapshot, after the same wait as {@link #balanceAt}; the database
     * aggregates, so memory does not grow with the ledger. {@code VALIDATION_FAILED} (field {@code at}) for a moment
     * after the database's clock; {@code ASSET_NOT_FOUND}.
     */
    public OutstandingReport outstanding(Instant at, Optional<String> assetCode) {
        Objects.requireNonNull(assetCode, "assetCode");
        Instant moment = micros(required("at", at));
        return engine.outstanding(moment, assetCode.map(Checks::assetCode).orElse(null));
    }

    /**
     * What moved over the transactions dated in {@code (from, to]}, per asset (or one): see {@link ActivityReport}.
     * For each lot class the opening balance plus the credits minus the debits must be the closing balance, each
     * read independently from the entries: when it is not, the ledger is inconsistent and the report is refused
     * with {@link ErrorCode#REPORT_INCONSISTENT}, never answered with figures that do not add up. One snapshot, after
     * the same wait as {@link #balanceAt}; it reads every transaction (no index on dates: a scan). {@code
     * VALIDATION_FAILED} when {@code from} is after {@code to} (field {@code from}) or {@code to} after the
     * database's clock (field {@code to}); {@code ASSET_NOT_FOUND}.
     */
    public ActivityReport activity(Instant from, Instant to, Optional<String> assetCode) {
        Objects.requireNonNull(assetCode, "assetCode");
        Instant start = micros(required("from", from));
        Instant end = micros(required("to", to));
        if (start.isAfter(end)) {
            throw WalletException.invalid("from", "is after to: " + start + " > " + end);
        }
        return engine.activity(start, end, assetCode.map(Checks::assetCode).orElse(null));
    }

    /** The earliest moment a read of the past accepts: the ledger dates nothing before it. */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

    private static Instant required(String field, Instant moment) {
        if (moment == null) {
            throw WalletException.invalid(field, "is required");
        }
        if (moment.isBefore(EARLIEST)) {
            throw WalletException.invalid(field, "is before " + EARLIEST);
        }
        return moment;
    }

    /** The moment to the ledger's resolution: transactions are dated to the microsecond. */
    private static Instant micros(Instant moment) {
        return moment.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    /**
     * Users whose id starts with {@code prefix} (empty: every user), in code point order, {@code limit}
     * (1-{@value UserPage#LIMIT_MAX}) at a time: for an operator looking someone up. A user is anyone with a
     * wallet.
     *
     * @param after null for the first page, else a {@link UserPage#nextAfter()}
     */
    public UserPage users(String prefix, String after, int limit) {
        if (limit < 1 || limit > UserPage.LIMIT_MAX) {
            throw WalletException.invalid("limit", "must be from 1 to " + UserPage.LIMIT_MAX + ", got " + limit);
        }
        String checkedPrefix =
                Objects.requireNonNull(prefix, "prefix").isEmpty() ? "" : Checks.identifier("prefix", prefix);
        return engine.users(checkedPrefix, after == null ? null : Checks.identifier("after", after), limit);
    }

    /** All of the user's balances, by asset code; empty when the user has no wallet. */
    public List<Balance> balances(String userId) {
        return engine.balances(Checks.identifier("user_id", userId));
    }

    /** A transaction with every posting, and the reversals and chargebacks that take it back. */
    public Optional<TransactionResult> transaction(UUID transactionId) {
        return engine.transaction(Objects.requireNonNull(transactionId, "transactionId"));
    }

    /** As {@link #transaction(UUID)}, by reference id. */
    public Optional<TransactionResult> transactionByReference(String referenceId) {
        return engine.transactionByReference(Checks.identifier("reference_id", referenceId));
    }

    /**
     * The user's entries, on all of the user's accounts, newest first, {@code limit}
     * (1-{@value HistoryPage#LIMIT_MAX}) at a time.
     *
     * @param assetCode one asset, or null for all of the user's wallets
     * @param cursor    null for the first page, else a {@link HistoryPage#nextCursor()}
     */
    public HistoryPage history(String userId, String assetCode, String cursor, int limit) {
        return engine.history(
                Checks.identifier("user_id", userId),
                assetCode == null ? null : Checks.assetCode(assetCode),
                cursor,
                checkedLimit(limit));
    }

    static int checkedLimit(int limit) {
        if (limit < 1 || limit > HistoryPage.LIMIT_MAX) {
            throw WalletException.invalid("limit", "must be from 1 to " + HistoryPage.LIMIT_MAX + ", got " + limit);
        }
        return limit;
    }

    /**
     * The reads above, served by the read replica when one was given to the constructor, each answer
     * saying which database gave it. With {@code after} null, the replica answers as it is: behind the
     * primary by its replay lag (writes acknowledged in the last moments may be missing). With a
     * {@link Position} from {@link #position()} taken after a write, the replica answers only if it has
     * replayed that far, and the primary otherwise: the read sees that write. A replica that fails or is
     * slow sends reads to the primary. Without a replica, every read is the primary's.
     */
    public RoutedReads reads(Position after) {
        return new RoutedReads(engine, after);
    }

    /** Whether a read replica was given to the constructor. */
    public boolean hasReplica() {
        return engine.hasReplica();
    }

    /**
     * The primary's write-ahead log position now: at or past the commit of every write acknowledged
     * before the call. One short query; hand it to {@link #reads(Position)} for read-your-writes.
     */
    public Position position() {
        return engine.position();
    }

    /**
     * How many bytes of the primary's write-ahead log the replica has not yet replayed: the staleness of a
     * read without a position. Empty without a replica, or when either database did not answer.
     */
    public OptionalLong replicaLagBytes() {
        return engine.replicaLagBytes();
    }

    public List<Asset> assets() {
        return engine.assets();
    }

    /**
     * Adds an asset type with its SYSTEM wallets. Adding the same definition again is a no-op;
     * a different definition under an existing code is {@link ErrorCode#ASSET_EXISTS}.
     */
    public Asset addAsset(Asset asset) {
        return engine.addAsset(Objects.requireNonNull(asset, "asset"));
    }

    /** The full audit, in one snapshot; see {@link AuditCheck} for the checks. */
    public AuditReport verify() {
        return verify(AuditProgress.NONE);
    }

    public AuditReport verify(AuditProgress progress) {
        return engine.verify(null, Objects.requireNonNull(progress, "progress"));
    }

    /**
     * The full audit, and proof that history up to {@code anchor} is what it was when the anchor was
     * taken: a mismatch is a violation of {@link AuditCheck#ANCHOR}.
     */
    public AuditReport verify(Anchor anchor, AuditProgress progress) {
        return engine.verify(Objects.requireNonNull(anchor, "anchor"), Objects.requireNonNull(progress, "progress"));
    }

    /**
     * The current head of every wallet's chain, folded into one {@link Anchor} to keep outside the
     * database. Waits, briefly, for writes in flight to commit (it takes a SHARE lock on the entries
     * table for the moment it needs to read the last entry id), so the role running it needs UPDATE,
     * DELETE or TRUNCATE rights on that table: run it as the ledger's owner.
     */
    public Anchor anchor() {
        return engine.anchor();
    }

    /** Wallets, transactions and entries per asset, and each asset's sum (zero in a sound ledger). */
    public LedgerStats stats() {
        return engine.stats();
    }

    /**
     * Whether the database answers {@code SELECT 1} within {@link #HEALTH_MILLIS_MAX} (one attempt, no
     * retry); never throws. Waiting for a pooled connection can add the pool's own timeout: a caller with a
     * hard bound runs it on a thread of its own (the server's health route does).
     */
    public boolean healthy() {
        return engine.healthy(HEALTH_MILLIS_MAX);
    }

    public LedgerMetrics metrics() {
        return engine.metrics();
    }

    /**
     * Adds a webhook subscription on behalf of {@code actor}: the events of the request's types after its cursor
     * (by default the feed's end) are sent to its URL by the server's dispatcher; see README.md, "Webhooks". The
     * answer carries the secret, the only time it is shown. {@code VALIDATION_FAILED} for a cursor past the feed's
     * end, or when {@value Webhook#ACTIVE_MAX} subscriptions exist already (removed ones do not count).
     */
    public Webhook addWebhook(WebhookRequest request, String actor) {
        Objects.requireNonNull(request, "request");
        String by = Checks.optionalText("actor", actor);
        long end = EventQuery.position(eventsEnd());
        long after = request.after().map(EventQuery::position).orElse(end);
        if (after > end) {
            throw WalletException.invalid("after", "is past the feed's end (" + end + ")");
        }
        String secret = request.secret().orElseGet(Ledger::newWebhookSecret);
        return webhooks.add(UUID.randomUUID(), request.url(), request.types(), secret, after, by, Webhook.ACTIVE_MAX)
                .withSecret(secret);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A new secret: {@code whsec_} and the base64 of 32 random bytes. */
    static String newWebhookSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return WebhookRequest.SECRET_PREFIX + java.util.Base64.getEncoder().encodeToString(key);
    }

    /** The webhook subscriptions that are not removed, oldest first (at most {@value Webhook#ACTIVE_MAX}). */
    public List<Webhook> webhooks() {
        return webhooks.list(Webhook.ACTIVE_MAX);
    }

    /** A webhook subscription, removed ones included. */
    public Optional<Webhook> webhook(UUID id) {
        return webhooks.byId(Objects.requireNonNull(id, "id"));
    }

    /**
     * Removes a webhook subscription: nothing more is delivered to it (a request in flight may still arrive). It is
     * kept, REMOVED, for its history; removing it again answers it as it is. {@code WEBHOOK_NOT_FOUND}.
     */
    public Webhook removeWebhook(UUID id, String actor) {
        Objects.requireNonNull(id, "id");
        String by = Checks.optionalText("actor", actor);
        return webhooks.remove(id, by).or(() -> webhooks.byId(id)).orElseThrow(() -> webhookNotFound(id));
    }

    /**
     * Resumes a webhook subscription: a FAILING one (or an ACTIVE one waiting out a backoff) is delivered again at
     * once, from its cursor, so no event is lost. {@code WEBHOOK_NOT_FOUND}; {@code WEBHOOK_REMOVED}.
     */
    public Webhook resumeWebhook(UUID id, String actor) {
        Objects.requireNonNull(id, "id");
        Optional<Webhook> resumed = webhooks.resume(id, Checks.optionalText("actor", actor));
        if (resumed.isPresent()) {
            return resumed.get();
        }
        Webhook found = webhooks.byId(id).orElseThrow(() -> webhookNotFound(id));
        throw WalletException.of(
                ErrorCode.WEBHOOK_REMOVED,
                "webhook subscription " + id + " was removed; add a new one",
                java.util.Map.of(
                        "webhook_id",
                        id.toString(),
                        "removed_at",
                        found.removedAt().orElseThrow().toString()));
    }

    private static WalletException webhookNotFound(UUID id) {
        return WalletException.of(
                ErrorCode.WEBHOOK_NOT_FOUND,
                "there is no webhook subscription " + id,
                java.util.Map.of("webhook_id", id.toString()));
    }

    /**
     * The dispatcher's side of webhooks, as lease holder {@code owner} (one random id per dispatcher, so that
     * a restarted process does not take its predecessor's leases for its own).
     */
    public WebhookDeliveries webhookDeliveries(UUID owner) {
        return new WebhookDeliveries(webhooks, owner);
    }

    /**
     * Stops the committer threads after they finish what is queued (at most 30 s each). The data source
     * belongs to the caller and stays open.
     */
    @Override
    public void close() {
        engine.close();
    }
}
