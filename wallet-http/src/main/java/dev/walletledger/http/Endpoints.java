package dev.walletledger.http;

import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.Balance;
import dev.walletledger.core.Batch;
import dev.walletledger.core.BatchResult;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Event;
import dev.walletledger.core.EventQuery;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Hold;
import dev.walletledger.core.HoldPage;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.core.Position;
import dev.walletledger.core.Routed;
import dev.walletledger.core.RoutedReads;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletKind;
import dev.walletledger.http.wire.Bodies;
import dev.walletledger.http.wire.Json;
import dev.walletledger.http.wire.Requests;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The handlers, and the route table that names them. Each handler is a few lines: parse, call, write. */
final class Endpoints {
    static final int HISTORY_LIMIT_DEFAULT = 50;
    private static final Pattern LIMIT_TEXT = Pattern.compile("[0-9]{1,4}");
    /** The feed's wait, in whole seconds: two digits at most, the range is {@link EventQuery}'s to check. */
    private static final Pattern WAIT_TEXT = Pattern.compile("[0-9]{1,2}");
    /** Long polls held at once when the server is built without saying: a test's table, never a served one. */
    static final int LONG_POLLS_MAX_DEFAULT = 2;

    private static final Map<String, String> REPLAYED = Map.of(ErrorMapping.REPLAYED, "true");
    /** On writes: the read-your-writes token; on reads: the token of the caller's last write. */
    static final String POSITION_HEADER = "Wallet-Position";
    /** On reads, with a replica configured: which database answered (primary or replica). */
    static final String READ_SOURCE_HEADER = "Wallet-Read-Source";

    private static final Set<Scope> OPEN = Scope.anyOf();
    /** Every read is the support console's too. */
    private static final Set<Scope> READ = Scope.anyOf(Scope.READ, Scope.SUPPORT);

    private static final Set<Scope> WRITE = Scope.anyOf(Scope.WRITE);
    private static final Set<Scope> ADMIN = Scope.anyOf(Scope.ADMIN);
    /** What support puts right: taking a transaction back, releasing a hold. */
    private static final Set<Scope> WRITE_OR_SUPPORT = Scope.anyOf(Scope.WRITE, Scope.SUPPORT);
    /** Corrections, the controls and the finance reports. */
    private static final Set<Scope> ADMIN_OR_SUPPORT = Scope.anyOf(Scope.ADMIN, Scope.SUPPORT);

    private final Ledger ledger;
    private final DataSource dataSource;
    private final HttpMetrics metrics;
    private final IntSupplier inFlight;
    private final byte[] openApi;
    private final String version;
    private final HealthProbe health;
    private final WalArchiveMonitor archive;
    private final WebhookEndpoints webhooks;
    private final OperatorEndpoints operator;
    /**
     * The feed's long polls waiting at once. Each holds a worker thread for up to {@link EventQuery#WAIT_MAX}, so
     * they get a share of the workers and never all of them: past it, a read that would wait is refused 503 BUSY
     * (and one that does not wait is served as ever).
     */
    private final Semaphore longPolls;

    private final int longPollsMax;

    Endpoints(
            Ledger ledger,
            DataSource dataSource,
            HttpMetrics metrics,
            IntSupplier inFlight,
            byte[] openApi,
            String version,
            WalArchiveMonitor archive) {
        this(ledger, dataSource, metrics, inFlight, openApi, version, archive, LONG_POLLS_MAX_DEFAULT);
    }

    Endpoints(
            Ledger ledger,
            DataSource dataSource,
            HttpMetrics metrics,
            IntSupplier inFlight,
            byte[] openApi,
            String version,
            WalArchiveMonitor archive,
            int longPollsMax) {
        this(
                ledger,
                dataSource,
                metrics,
                inFlight,
                openApi,
                version,
                archive,
                longPollsMax,
                new WebhookEndpoints(ledger, dev.walletledger.http.webhooks.WebhookSettings.defaults(), null));
    }

    /** @param longPollsMax the feed's long polls waiting at once (see {@link #longPolls}) */
    Endpoints(
            Ledger ledger,
            DataSource dataSource,
            HttpMetrics metrics,
            IntSupplier inFlight,
            byte[] openApi,
            String version,
            WalArchiveMonitor archive,
            int longPollsMax,
            WebhookEndpoints webhooks) {
        if (longPollsMax < 1) {
            throw new IllegalArgumentException("longPollsMax must be at least 1");
        }
        this.webhooks = webhooks;
        this.operator = new OperatorEndpoints(ledger, java.time.Clock.systemUTC());
        this.longPollsMax = longPollsMax;
        this.longPolls = new Semaphore(longPollsMax);
        this.archive = archive;
        this.ledger = ledger;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.openApi = openApi;
        this.version = version;
        this.health = new HealthProbe(() -> ledger.healthy());
    }

    /**
     * The routes and the scope each needs (wallet-http/README.md, "Security"): health is open so load balancers can probe
     * it; reads need {@code read}; money movements (batch included) need {@code write}; adjustments (an
     * operator's corrections, alone or in a batch) and metrics, which expose the server's internals, need
     * {@code admin}.
     */
    RouteTable routes() {
        List<Route> routes = new java.util.ArrayList<>(List.of(
                Route.ignoringQuery(RequestPipeline.HEALTH_PATH, OPEN, call -> health()),
                Route.post("/api/v1/wallets/topup", WRITE, call -> write(OperationType.TOPUP, call)),
                Route.post("/api/v1/wallets/bonus", WRITE, call -> write(OperationType.BONUS, call)),
                Route.post("/api/v1/wallets/spend", WRITE, call -> write(OperationType.SPEND, call)),
                Route.post("/api/v1/wallets/transfer", WRITE, call -> write(OperationType.TRANSFER, call)),
                Route.post(
                        "/api/v1/transactions/{transaction_id}/reversal",
                        WRITE_OR_SUPPORT,
                        call -> write(OperationType.REVERSAL, call)),
                Route.post(
                        "/api/v1/transactions/{transaction_id}/chargeback",
                        WRITE_OR_SUPPORT,
                        call -> write(OperationType.CHARGEBACK, call)),
                Route.post("/api/v1/adjustments", ADMIN_OR_SUPPORT, call -> write(OperationType.ADJUSTMENT, call)),
                Route.post("/api/v1/holds", WRITE, call -> write(OperationType.HOLD, call)),
                Route.post("/api/v1/holds/{hold_id}/capture", WRITE, call -> write(OperationType.CAPTURE, call)),
                Route.post("/api/v1/holds/{hold_id}/void", WRITE_OR_SUPPORT, call -> write(OperationType.VOID, call)),
                // Reads that may post the ledger's own expiries: a hold open past its expiry is released first.
                Route.get("/api/v1/holds/{hold_id}", List.of(), READ, this::hold)
                        .forPlayers(),
                Route.get(
                                "/api/v1/wallets/{user_id}/holds",
                                List.of("asset_code", "status", "limit", "cursor"),
                                READ,
                                this::holds)
                        .forPlayers(),
                Route.get("/api/v1/wallets/{user_id}/balance", List.of("asset_code", "at"), READ, this::balance)
                        .forPlayers(),
                Route.get("/api/v1/wallets/{user_id}/lots", List.of("asset_code"), READ, this::lots)
                        .forPlayers(),
                Route.get(
                                "/api/v1/wallets/{user_id}/transactions",
                                List.of("asset_code", "limit", "cursor"),
                                READ,
                                this::history)
                        .forPlayers(),
                Route.get("/api/v1/transactions/{transaction_id}", List.of(), READ, this::transaction)
                        .forPlayers(),
                Route.get("/api/v1/transactions", List.of("reference_id"), READ, this::transactionByReference),
                Route.post("/api/v1/batch", WRITE, this::batch),
                // Finance reports: every wallet's figures, so the operators' scope.
                Route.get(
                        "/api/v1/reports/outstanding",
                        List.of("at", "asset_code"),
                        ADMIN_OR_SUPPORT,
                        this::outstanding),
                Route.get(
                        "/api/v1/reports/activity",
                        List.of("from", "to", "asset_code"),
                        ADMIN_OR_SUPPORT,
                        this::activity),
                // The feed and the controls: every wallet's changes, and the stop and caps on them, so the
                // operators' scope (as the reports).
                Route.get("/api/v1/events", List.of("after", "types", "limit", "wait"), ADMIN, this::events),
                Route.get(
                        "/api/v1/wallets/{user_id}/controls", List.of("asset_code"), ADMIN_OR_SUPPORT, this::controls),
                Route.put(
                        "/api/v1/wallets/{user_id}/controls",
                        List.of("asset_code"),
                        ADMIN_OR_SUPPORT,
                        this::setControls),
                Route.get(
                        "/api/v1/wallets/{user_id}/controls/history",
                        List.of("asset_code"),
                        ADMIN_OR_SUPPORT,
                        this::controlsHistory),
                Route.ignoringQuery("/api/v1/assets", READ, call -> assets()),
                Route.ignoringQuery("/api/v1/openapi.json", READ, call -> HttpResponse.json(200, openApi)),
                Route.ignoringQuery(
                        "/metrics",
                        ADMIN,
                        call -> HttpResponse.text(
                                200,
                                metrics.render(ledger.metrics(), dataSource, inFlight.getAsInt(), scrapeSamples()),
                                "text/plain; version=0.0.4; charset=utf-8"))));
        // Webhook subscriptions: admin, as they receive every wallet's events.
        routes.addAll(webhooks.routes());
        routes.addAll(operator.routes());
        return new RouteTable(routes);
    }

    /**
     * What /metrics adds: WAL archiving's state when the database archives; with a replica, its read
     * counters and how far it is behind.
     */
    private List<HttpMetrics.Sample> scrapeSamples() {
        List<HttpMetrics.Sample> samples = new java.util.ArrayList<>(archive.samples());
        samples.addAll(webhooks.samples());
        if (!ledger.hasReplica()) {
            return samples;
        }
        var m = ledger.metrics();
        samples.addAll(List.of(
                new HttpMetrics.Sample(
                        "wallet_replica_reads_total", "counter", "Reads served by the replica.", m.replicaReads()),
                new HttpMetrics.Sample(
                        "wallet_replica_reads_behind_total",
                        "counter",
                        "Reads sent to the primary: the replica had not replayed up to their Wallet-Position.",
                        m.replicaBehind()),
                new HttpMetrics.Sample(
                        "wallet_replica_reads_unavailable_total",
                        "counter",
                        "Reads sent to the primary: the replica failed, was slow, or was resting after a failure.",
                        m.replicaUnavailable())));
        ledger.replicaLagBytes()
                .ifPresent(lag -> samples.add(new HttpMetrics.Sample(
                        "wallet_replica_replay_lag_bytes",
                        "gauge",
                        "How much of the primary's write-ahead log the replica has yet to replay (absent when"
                                + " either could not be asked).",
                        lag)));
        return samples;
    }

    private HttpResponse health() {
        // One bound for the whole answer: the database's check, then the archive's state in what time is left.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HealthProbe.ANSWER_MILLIS_MAX);
        archive.state(0); // starts a read of the archive's state, if it is stale, alongside the check
        boolean up = health.up();
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return HttpResponse.json(
                up ? 200 : 503,
                Bodies.health(
                        up,
                        version,
                        archive.state(left)
                                .filter(WalArchiveMonitor.State::enabled)
                                .map(s -> Map.<String, Object>of(
                                        "status", s.status(),
                                        "failed", s.failed(),
                                        "pending_files", s.pending(),
                                        "last_archived_wal", s.lastArchivedWal().orElse("")))),
                up ? Map.of() : Map.of("Retry-After", ErrorMapping.RETRY_AFTER_SECONDS));
    }

    private HttpResponse write(OperationType type, Call call) {
        Operation operation = Requests.operation(
                type, Json.parse(call.body()), type.movesHold() ? call.path("hold_id") : call.path("transaction_id"));
        TransactionResult result = ledger.apply(operation, call.keyId().orElse(null));
        byte[] body = Bodies.transaction(result);
        Map<String, String> headers = result.replayed() ? REPLAYED : Map.of();
        Optional<String> position = positionAfterWrite(); // empty without a replica: no query, no copy
        if (position.isPresent()) {
            headers = new java.util.HashMap<>(headers);
            headers.put(POSITION_HEADER, position.get());
        }
        return HttpResponse.json(result.replayed() ? 200 : 201, body, headers);
    }

    /**
     * With a replica configured, the primary's log position after a write, for the caller's next reads.
     * Absent when it cannot be had: the write is done, and its answer must not turn into an error.
     */
    private Optional<String> positionAfterWrite() {
        if (!ledger.hasReplica()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ledger.position().lsn());
        } catch (WalletException e) {
            return Optional.empty();
        }
    }

    private RoutedReads reads(Call call) {
        return ledger.reads(call.position() == null ? null : Position.parse(call.position()));
    }

    private HttpResponse routed(Routed<?> read, byte[] body) {
        return ledger.hasReplica()
                ? HttpResponse.json(
                        200,
                        body,
                        Map.of(READ_SOURCE_HEADER, read.source().name().toLowerCase(Locale.ROOT)))
                : HttpResponse.json(200, body);
    }

    private HttpResponse balance(Call call) {
        String user = call.path("user_id");
        String asset = call.query("asset_code");
        if (call.query("at") != null) {
            // The past is read from the primary: its answer waits for the writes in flight there.
            Instant at = Requests.moment(call.query("at"), "at");
            if (asset == null) {
                throw WalletException.invalid("asset_code", "is required with at");
            }
            return HttpResponse.json(200, Bodies.balanceAt(ledger.balanceAt(user, asset, at), at));
        }
        if (asset == null) {
            Routed<List<Balance>> read = reads(call).balances(user);
            return routed(read, Bodies.balances(user, read.value()));
        }
        Routed<Balance> read = reads(call).balance(user, asset);
        return routed(read, Bodies.balance(read.value()));
    }

    private HttpResponse lots(Call call) {
        String user = call.path("user_id");
        String asset = call.query("asset_code");
        if (asset == null) {
            throw WalletException.invalid("asset_code", "is required");
        }
        return HttpResponse.json(200, Bodies.lots(user, asset, ledger.lots(user, asset)));
    }

    private HttpResponse history(Call call) {
        String user = call.path("user_id");
        String asset = call.query("asset_code");
        Routed<HistoryPage> page = reads(call).history(user, asset, call.query("cursor"), limit(call));
        return routed(page, Bodies.history(user, asset, page.value()));
    }

    private HttpResponse hold(Call call) {
        String id = call.path("hold_id");
        if (!Requests.UUID_TEXT.matcher(id).matches()) {
            throw WalletException.invalid("hold_id", "must be a UUID such as 0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        }
        return HttpResponse.json(
                200,
                Bodies.hold(ledger.hold(UUID.fromString(id.toLowerCase(Locale.ROOT)))
                        // A player's token reads its own holds only; another's is answered as a missing one.
                        .filter(hold -> call.player().map(hold.userId()::equals).orElse(true))
                        .orElseThrow(() -> WalletException.of(
                                ErrorCode.HOLD_NOT_FOUND,
                                "there is no hold " + RouteTable.shorten(id),
                                Map.of("hold_id", RouteTable.shorten(id))))));
    }

    private HttpResponse holds(Call call) {
        String user = call.path("user_id");
        String status = call.query("status");
        HoldPage page = ledger.holds(
                user,
                call.query("asset_code"),
                status == null ? null : Hold.Status.parse("status", status),
                call.query("cursor"),
                limit(call));
        return HttpResponse.json(200, Bodies.holds(user, page));
    }

    private static int limit(Call call) {
        String limitText = call.query("limit");
        if (limitText == null) {
            return HISTORY_LIMIT_DEFAULT;
        }
        if (!LIMIT_TEXT.matcher(limitText).matches()) {
            throw WalletException.invalid("limit", "must be a whole number from 1 to " + HistoryPage.LIMIT_MAX);
        }
        return Integer.parseInt(limitText);
    }

    private HttpResponse transaction(Call call) {
        String id = call.path("transaction_id");
        if (!Requests.UUID_TEXT.matcher(id).matches()) {
            throw WalletException.invalid(
                    "transaction_id", "must be a UUID such as 0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        }
        Routed<Optional<TransactionResult>> read =
                reads(call).transaction(UUID.fromString(id.toLowerCase(Locale.ROOT)));
        if (call.player().isPresent()) {
            // A player's token reads a transaction only when it posts to one of the player's wallets; another's
            // is answered as a missing one, so a token tells nothing of what exists beyond its player.
            String player = call.player().get();
            read = new Routed<>(read.value().filter(t -> postsTo(t, player)), read.source());
        }
        return found(read, "transaction " + id);
    }

    /** Whether {@code transaction} has a posting on one of {@code user}'s wallets. */
    private static boolean postsTo(TransactionResult transaction, String user) {
        return transaction.entries().stream()
                .anyMatch(entry ->
                        entry.walletKind() == WalletKind.USER && entry.owner().equals(user));
    }

    private HttpResponse transactionByReference(Call call) {
        String reference = call.query("reference_id");
        if (reference == null) {
            throw WalletException.invalid("reference_id", "is required");
        }
        return found(reads(call).transactionByReference(reference), "transaction with reference_id " + reference);
    }

    private HttpResponse found(Routed<Optional<TransactionResult>> result, String what) {
        if (result.value().isEmpty()) {
            throw WalletException.of(ErrorCode.TRANSACTION_NOT_FOUND, "there is no " + RouteTable.shorten(what));
        }
        return routed(result, Bodies.transactionWithEntries(result.value().get()));
    }

    private HttpResponse batch(Call call) {
        Batch batch = Requests.batch(Json.parse(call.body()));
        if (batch.operations().stream().anyMatch(o -> o.type() == OperationType.ADJUSTMENT)) {
            call.requireScope(Scope.ADMIN, "a batch holding an adjustment");
        }
        BatchResult result = ledger.submit(batch, call.keyId().orElse(null));
        byte[] body = Bodies.batch(batch.mode().name().toLowerCase(Locale.ROOT), result);
        return positionAfterWrite()
                .map(position -> HttpResponse.json(200, body, Map.of(POSITION_HEADER, position)))
                .orElseGet(() -> HttpResponse.json(200, body));
    }

    private HttpResponse outstanding(Call call) {
        Instant at = required(call, "at");
        OutstandingReport report = ledger.outstanding(at, Optional.ofNullable(call.query("asset_code")));
        return HttpResponse.json(200, Bodies.outstanding(report));
    }

    private HttpResponse activity(Call call) {
        Instant from = required(call, "from");
        Instant to = required(call, "to");
        ActivityReport report = ledger.activity(from, to, Optional.ofNullable(call.query("asset_code")));
        return HttpResponse.json(200, Bodies.activity(report));
    }

    private static Instant required(Call call, String name) {
        String text = call.query(name);
        if (text == null) {
            throw WalletException.invalid(name, "is required: an RFC 3339 time such as 2026-12-02T19:00:00Z");
        }
        return Requests.moment(text, name);
    }

    private HttpResponse events(Call call) {
        EventQuery query = new EventQuery(
                Optional.ofNullable(call.query("after")),
                types(call.query("types")),
                call.query("limit") == null
                        ? EventQuery.LIMIT_DEFAULT
                        : wholeNumber(call, "limit", LIMIT_TEXT, "from 1 to " + EventQuery.LIMIT_MAX),
                Duration.ofSeconds(
                        call.query("wait") == null
                                ? 0
                                : wholeNumber(
                                        call,
                                        "wait",
                                        WAIT_TEXT,
                                        "of seconds from 0 to " + EventQuery.WAIT_MAX.toSeconds())));
        if (query.waitFor().isZero()) {
            return HttpResponse.json(200, Bodies.events(ledger.events(query)));
        }
        if (!longPolls.tryAcquire()) {
            throw WalletException.of(
                    ErrorCode.BUSY,
                    "too many feed reads are waiting (at most " + longPollsMax
                            + "); send the same request again, or read without wait",
                    Map.of("long_polls_max", longPollsMax));
        }
        try {
            return HttpResponse.json(200, Bodies.events(ledger.events(query)));
        } finally {
            longPolls.release();
        }
    }

    /** {@code types=a,b}: event types ({@link Event#TYPES}) separated by commas, each once. */
    private static Set<String> types(String text) {
        if (text == null) {
            return Set.of();
        }
        // Split into one more piece than there are types at most: a longer list cannot be valid.
        String[] names = text.split(",", Event.TYPES.size() + 1);
        if (names.length > Event.TYPES.size()) {
            throw WalletException.invalid("types", "lists more types than there are (" + Event.TYPES.size() + ")");
        }
        Set<String> types = new LinkedHashSet<>();
        for (String name : names) {
            if (!Event.TYPES.contains(name)) {
                throw WalletException.invalid(
                        "types",
                        "has no event type \"" + RouteTable.shorten(name) + "\"; the types are "
                                + String.join(", ", Event.TYPES));
            }
            if (!types.add(name)) {
                throw WalletException.invalid("types", "lists " + name + " twice");
            }
        }
        return types;
    }

    /** A query parameter that must be a small whole number ({@code range} says which; the core checks it). */
    private static int wholeNumber(Call call, String name, Pattern shape, String range) {
        String text = call.query(name);
        if (!shape.matcher(text).matches()) {
            throw WalletException.invalid(name, "must be a whole number " + range);
        }
        return Integer.parseInt(text);
    }

    private static String assetCode(Call call) {
        String asset = call.query("asset_code");
        if (asset == null) {
            throw WalletException.invalid("asset_code", "is required");
        }
        return asset;
    }

    private HttpResponse controls(Call call) {
        return HttpResponse.json(200, Bodies.controls(ledger.controls(call.path("user_id"), assetCode(call))));
    }

    private HttpResponse controlsHistory(Call call) {
        String user = call.path("user_id");
        String asset = assetCode(call);
        return HttpResponse.json(200, Bodies.controlsHistory(user, asset, ledger.controlsHistory(user, asset)));
    }

    /** The acting key is recorded with the change, as with every write; the answer is the controls in force. */
    private HttpResponse setControls(Call call) {
        String user = call.path("user_id");
        String asset = assetCode(call);
        var change = Requests.controlsChange(user, asset, Json.parse(call.body()));
        return HttpResponse.json(
                200, Bodies.controls(ledger.setControls(change, call.keyId().orElse(null))));
    }

    private HttpResponse assets() {
        return HttpResponse.json(200, Bodies.assets(ledger.assets()));
    }
}
