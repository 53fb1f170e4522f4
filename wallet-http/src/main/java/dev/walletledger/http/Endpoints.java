package dev.walletledger.http;

import dev.walletledger.core.Batch;
import dev.walletledger.core.BatchResult;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import dev.walletledger.http.wire.Json;
import dev.walletledger.http.wire.Requests;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The handlers, and the route table that names them. Each handler is a few lines: parse, call, write. */
final class Endpoints {
    static final int HISTORY_LIMIT_DEFAULT = 50;
    private static final Pattern LIMIT_TEXT = Pattern.compile("[0-9]{1,4}");
    private static final Map<String, String> REPLAYED = Map.of("Idempotent-Replayed", "true");
    private static final Optional<Scope> OPEN = Optional.empty();
    private static final Optional<Scope> READ = Optional.of(Scope.READ);
    private static final Optional<Scope> WRITE = Optional.of(Scope.WRITE);
    private static final Optional<Scope> ADMIN = Optional.of(Scope.ADMIN);

    private final Ledger ledger;
    private final DataSource dataSource;
    private final HttpMetrics metrics;
    private final IntSupplier inFlight;
    private final byte[] openApi;
    private final String version;
    private final HealthProbe health;

    Endpoints(
            Ledger ledger,
            DataSource dataSource,
            HttpMetrics metrics,
            IntSupplier inFlight,
            byte[] openApi,
            String version) {
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
        return new RouteTable(List.of(
                Route.ignoringQuery("/api/v1/health", OPEN, call -> health()),
                Route.post("/api/v1/wallets/topup", WRITE, call -> write(OperationType.TOPUP, call)),
                Route.post("/api/v1/wallets/bonus", WRITE, call -> write(OperationType.BONUS, call)),
                Route.post("/api/v1/wallets/spend", WRITE, call -> write(OperationType.SPEND, call)),
                Route.post("/api/v1/wallets/transfer", WRITE, call -> write(OperationType.TRANSFER, call)),
                Route.post(
                        "/api/v1/transactions/{transaction_id}/reversal",
                        WRITE,
                        call -> write(OperationType.REVERSAL, call)),
                Route.post(
                        "/api/v1/transactions/{transaction_id}/chargeback",
                        WRITE,
                        call -> write(OperationType.CHARGEBACK, call)),
                Route.post("/api/v1/adjustments", ADMIN, call -> write(OperationType.ADJUSTMENT, call)),
                Route.get("/api/v1/wallets/{user_id}/balance", List.of("asset_code"), READ, this::balance),
                Route.get(
                        "/api/v1/wallets/{user_id}/transactions",
                        List.of("asset_code", "limit", "cursor"),
                        READ,
                        this::history),
                Route.get("/api/v1/transactions/{transaction_id}", List.of(), READ, this::transaction),
                Route.get("/api/v1/transactions", List.of("reference_id"), READ, this::transactionByReference),
                Route.post("/api/v1/batch", WRITE, this::batch),
                Route.ignoringQuery("/api/v1/assets", READ, call -> assets()),
                Route.ignoringQuery("/api/v1/openapi.json", READ, call -> HttpResponse.json(200, openApi)),
                Route.ignoringQuery(
                        "/metrics",
                        ADMIN,
                        call -> HttpResponse.text(
                                200,
                                metrics.render(ledger.metrics(), dataSource, inFlight.getAsInt()),
                                "text/plain; version=0.0.4; charset=utf-8"))));
    }

    private HttpResponse health() {
        boolean up = health.up();
        return HttpResponse.json(
                up ? 200 : 503,
                Bodies.health(up, version),
                up ? Map.of() : Map.of("Retry-After", ErrorMapping.RETRY_AFTER_SECONDS));
    }

    private HttpResponse write(OperationType type, Call call) {
        Operation operation = Requests.operation(type, Json.parse(call.body()), call.path("transaction_id"));
        TransactionResult result = ledger.apply(operation, call.keyId().orElse(null));
        byte[] body = Bodies.transaction(result);
        return result.replayed() ? HttpResponse.json(200, body, REPLAYED) : HttpResponse.json(201, body);
    }

    private HttpResponse balance(Call call) {
        String user = call.path("user_id");
        String asset = call.query("asset_code");
        if (asset == null) {
            return HttpResponse.json(200, Bodies.balances(user, ledger.balances(user)));
        }
        return HttpResponse.json(200, Bodies.balance(ledger.balance(user, asset)));
    }

    private HttpResponse history(Call call) {
        String user = call.path("user_id");
        String asset = call.query("asset_code");
        int limit = HISTORY_LIMIT_DEFAULT;
        String limitText = call.query("limit");
        if (limitText != null) {
            if (!LIMIT_TEXT.matcher(limitText).matches()) {
                throw WalletException.invalid("limit", "must be a whole number from 1 to " + HistoryPage.LIMIT_MAX);
            }
            limit = Integer.parseInt(limitText);
        }
        HistoryPage page = ledger.history(user, asset, call.query("cursor"), limit);
        return HttpResponse.json(200, Bodies.history(user, asset, page));
    }

    private HttpResponse transaction(Call call) {
        String id = call.path("transaction_id");
        if (!Requests.UUID_TEXT.matcher(id).matches()) {
            throw WalletException.invalid(
                    "transaction_id", "must be a UUID such as 0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        }
        return found(ledger.transaction(UUID.fromString(id.toLowerCase(Locale.ROOT))), "transaction " + id);
    }

    private HttpResponse transactionByReference(Call call) {
        String reference = call.query("reference_id");
        if (reference == null) {
            throw WalletException.invalid("reference_id", "is required");
        }
        return found(ledger.transactionByReference(reference), "transaction with reference_id " + reference);
    }

    private static HttpResponse found(Optional<TransactionResult> result, String what) {
        if (result.isEmpty()) {
            throw WalletException.of(ErrorCode.TRANSACTION_NOT_FOUND, "there is no " + RouteTable.shorten(what));
        }
        return HttpResponse.json(200, Bodies.transactionWithEntries(result.get()));
    }

    private HttpResponse batch(Call call) {
        Batch batch = Requests.batch(Json.parse(call.body()));
        if (batch.operations().stream().anyMatch(o -> o.type() == OperationType.ADJUSTMENT)) {
            call.requireScope(Scope.ADMIN, "a batch holding an adjustment");
        }
        BatchResult result = ledger.submit(batch, call.keyId().orElse(null));
        return HttpResponse.json(200, Bodies.batch(batch.mode().name().toLowerCase(Locale.ROOT), result));
    }

    private HttpResponse assets() {
        return HttpResponse.json(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("assets");
            for (var asset : ledger.assets()) {
                g.writeStartObject();
                g.writeStringField("code", asset.code());
                g.writeStringField("name", asset.name());
                g.writeNumberField("decimal_places", asset.decimalPlaces());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }
}
