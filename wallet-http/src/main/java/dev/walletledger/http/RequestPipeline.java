package dev.walletledger.http;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.tokens.PlayerTokens;
import dev.walletledger.http.tokens.TokenKeys;
import dev.walletledger.http.tokens.TokenSettings;
import dev.walletledger.http.tokens.VerifiedTokens;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;

/**
 * Every request's path through the server. On the IO thread: a request id, the in-flight bound and the
 * size check (cheap, never blocking). On a worker thread: routing, the key, the media type, then (for a
 * client that sent {@code Expect: 100-continue}) the 100, the body (at most {@link #BODY_BYTES_MAX}), the
 * handler (blocking JDBC), one log line and the metrics. The answer is written back on the connection's IO
 * thread, without blocking, so the exchange also ends there. A request refused from its headers is answered
 * before its body is asked for.
 *
 * <p>Why the IO thread writes: Undertow's read listener guards a running request with a state word, and an
 * exchange that ends on another thread holds that word while it re-arms the connection for the next request.
 * An IO thread that sees the next request's bytes in that window spins on the word until the other thread lets
 * go. Under load, on few cores, that other thread is often descheduled mid-window, and the IO threads spent
 * most of their CPU spinning (measured: 61 % of the server's samples). Ended on the IO thread, the exchange
 * takes the path without the word. It also means a client slow to read its answer never holds a worker.
 */
final class RequestPipeline implements HttpHandler {
    /** The largest request body read; larger ones are answered 413 without reading the rest. */
    static final int BODY_BYTES_MAX = 64 * 1024;
    /**
     * Undertow's own hard stop. A chunked body over {@link #BODY_BYTES_MAX} is drained up to here before
     * the 413, so the client reads the answer instead of a connection reset; past it the connection drops.
     */
    static final long ENTITY_BYTES_MAX = 1024 * 1024;

    private static final Logger ACCESS = LoggerFactory.getLogger("dev.walletledger.http.access");
    private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final HttpString REQUEST_ID_HEADER = new HttpString("X-Request-Id");
    private static final byte[] NO_BODY = new byte[0];

    private static final String NO_KEY = "-";
    /** How long a client gets to read a 413 sent before its body, before the connection is closed. */
    private static final long UNREAD_BODY_CLOSE_DELAY_MILLIS = 1_000;

    private final RouteTable routes;
    private final HttpMetrics metrics;
    private final InFlight inFlight;
    private final Supplier<Credentials> credentials;
    private final boolean required;
    private final TokenSettings tokenSettings;
    private final VerifiedTokens verifiedTokens;
    private final boolean tokensConfigured;
    private final long bodyReadNanosMax;
    private final ConsoleFiles console;

    /** Fixed API keys, no player tokens: required when there are any (for tests of the pipeline alone). */
    RequestPipeline(RouteTable routes, HttpMetrics metrics, InFlight inFlight, ApiKeys keys, long bodyReadMillisMax) {
        this(
                routes,
                metrics,
                inFlight,
                () -> new Credentials(keys, TokenKeys.none()),
                !keys.isEmpty(),
                ServerConfig.Tokens.OFF,
                bodyReadMillisMax);
    }

    /**
     * @param credentials      the keys in force, read once per request (the key files' watcher swaps them)
     * @param required         whether routes that name scopes need a key or a token; false: every route is open
     *                         (no keys, on loopback or with WALLET_ALLOW_NO_AUTH). Decided once, at startup, so
     *                         a key file emptied at run time shuts every door instead of opening them
     * @param tokens           whether player tokens are on, and what their claims must say
     * @param bodyReadMillisMax how long reading one body may take in all, however slowly it trickles in
     */
    RequestPipeline(
            RouteTable routes,
            HttpMetrics metrics,
            InFlight inFlight,
            Supplier<Credentials> credentials,
            boolean required,
            ServerConfig.Tokens tokens,
            long bodyReadMillisMax) {
        this.routes = routes;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.credentials = credentials;
        this.required = required;
        this.tokenSettings = tokens.settings();
        this.verifiedTokens = new VerifiedTokens(tokenSettings);
        this.tokensConfigured = tokens.enabled();
        this.console = ConsoleFiles.bundled();
        this.bodyReadNanosMax = bodyReadMillisMax * 1_000_000;
    }

    /**
     * Who sent a request: an API key, a player (by token), or nobody (an open route, or a server without keys).
     * {@code logName} is what the access log's {@code key} field says: the key id, {@code player:<kid>}, or -.
     */
    private record Principal(Optional<ApiKeys.ApiKey> key, Optional<PlayerTokens.Player> player) {
        static final Principal NOBODY = new Principal(Optional.empty(), Optional.empty());

        String logName() {
            return key.map(ApiKeys.ApiKey::id)
                    .or(() -> player.map(p -> PLAYER_LOG_PREFIX + p.kid()))
                    .orElse(NO_KEY);
        }
    }

    /** The access log's {@code key} for a player's request: the signing key's id, never the token or the player. */
    static final String PLAYER_LOG_PREFIX = "player:";

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long start = System.nanoTime();
        String requestId = requestId(exchange);
        exchange.getResponseHeaders().put(REQUEST_ID_HEADER, requestId);
        long declaredLength = exchange.getRequestContentLength();
        // A body over the limit but within ENTITY_BYTES_MAX is read and dropped by a worker, bounded, before the
        // 413 (readBody): the connection then closes with nothing unread, so the client gets the answer however
        // late it reads it. Closing with a body unread resets the connection, and a reset discards an answer the
        // client had not read yet. Only a body larger than the server ever drains is refused from its length.
        if (declaredLength > ENTITY_BYTES_MAX) {
            exchange.setPersistent(false); // the unread body cannot be skipped cheaply: close after answering
            finish(exchange, tooLarge(), "unmatched", requestId, NO_KEY, start, null);
            // The exchange cannot complete with its body unread: close the connection once the client has
            // had time to read the 413 (closing at once could reset the connection before it does).
            exchange.getIoThread()
                    .executeAfter(
                            () -> IoUtils.safeClose(exchange.getConnection()),
                            UNREAD_BODY_CLOSE_DELAY_MILLIS,
                            TimeUnit.MILLISECONDS);
            return;
        }
        if (!inFlight.tryEnter()) {
            metrics.rejectedBusy();
            finish(
                    exchange,
                    ErrorMapping.response(WalletException.of(
                            ErrorCode.BUSY, "too many requests in flight; send the same request again")),
                    "unmatched",
                    requestId,
                    NO_KEY,
                    start,
                    null);
            return;
        }
        exchange.addExchangeCompleteListener((done, next) -> {
            inFlight.leave();
            next.proceed();
        });
        if (isHealth(exchange)) {
            // Health never waits for a worker: when the database stops answering, every worker may be held by a
            // write waiting out its deadline, and the probe must still answer within its bound.
            exchange.dispatch(
                    task -> {
                        try {
                            PROBES.execute(task);
                        } catch (java.util.concurrent.RejectedExecutionException full) {
                            exchange.getConnection().getWorker().execute(task);
                        }
                    },
                    () -> handleBlocking(exchange, requestId, start));
            return;
        }
        exchange.dispatch(() -> handleBlocking(exchange, requestId, start));
    }

    /** The health route's path, answered on {@link #PROBES}. */
    static final String HEALTH_PATH = "/api/v1/health";

    /**
     * Threads of their own for health probes: up to 16 at once (each waits at most
     * {@link HealthProbe#ANSWER_MILLIS_MAX}, and they share one check), 64 more waiting; past that, a probe
     * queues for a worker.
     */
    private static final ThreadPoolExecutor PROBES = new ThreadPoolExecutor(
            16, 16, 60, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(64), runnable -> {
                Thread thread = new Thread(runnable, "wallet-health-answer");
                thread.setDaemon(true);
                return thread;
            });

    static {
        PROBES.allowCoreThreadTimeOut(true);
    }

    private static boolean isHealth(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        return (method.equals("GET") || method.equals("HEAD"))
                && exchange.getRequestPath().equals(HEALTH_PATH);
    }

    private void handleBlocking(HttpServerExchange exchange, String requestId, long start) {
        String routeName = "unmatched";
        Principal principal = Principal.NOBODY;
        Set<Scope> granted = EnumSet.allOf(Scope.class);
        boolean bodyRead = false;
        HttpResponse response;
        Throwable failure = null;
        try {
            if (ConsoleFiles.isConsole(exchange.getRequestPath())) {
                // Static files, open as health is: they hold no data, and each API call they make carries a key.
                routeName = ConsoleFiles.routeName();
                response = console.answer(exchange.getRequestMethod().toString(), exchange.getRequestPath());
            } else {
                RouteTable.Match match =
                        routes.match(exchange.getRequestMethod().toString(), exchange.getRequestPath());
                routeName = match.route().name();
                principal = authorize(match, exchange);
                if (principal.key().isPresent()) {
                    granted = principal.key().get().scopes();
                } else if (principal.player().isPresent()) {
                    granted = Set.of(); // a player's token grants no scope: it opens its own reads only
                }
                Map<String, List<String>> query = RouteTable.query(match.route(), exchange.getQueryString());
                byte[] body = NO_BODY;
                if (match.route().readsBody()) {
                    requireJson(exchange);
                    if (HttpContinue.requiresContinueResponse(exchange)) {
                        HttpContinue.sendContinueResponseBlocking(exchange); // the headers passed: send the body
                    }
                    body = readBody(exchange, start + bodyReadNanosMax);
                    bodyRead = true;
                }
                response = match.route()
                        .handler()
                        .handle(Call.of(
                                requestId,
                                principal.key().map(ApiKeys.ApiKey::id),
                                granted,
                                principal.player().map(PlayerTokens.Player::userId),
                                match.pathParameters(),
                                query,
                                body,
                                exchange.getRequestHeaders().getFirst(Endpoints.POSITION_HEADER)));
            }
        } catch (IOException e) {
            // Only the 100 Continue is written here; the client is gone.
            response =
                    ErrorMapping.response(new ApiException(HttpErrorCode.MALFORMED_REQUEST, "the connection failed"));
            exchange.setPersistent(false);
        } catch (RuntimeException | Error e) {
            response = ErrorMapping.response(e);
            failure = e;
        }
        if (!bodyRead && HttpContinue.requiresContinueResponse(exchange)) {
            // Refused before the 100 was sent: the client may never send its body, or send it anyway after
            // its own wait. Neither can be told apart from a next request: answer and close.
            exchange.setPersistent(false);
        } else if (!bodyRead && hasBody(exchange)) {
            discardBody(exchange, start + bodyReadNanosMax);
        }
        finish(exchange, response, routeName, requestId, principal.logName(), start, failure);
    }

    /**
     * Checks the request's credential against the route. An API key ({@code wlk_…}): one SHA-256 and a
     * constant-time compare, then the route's scopes (any one). Anything else, when player tokens are on: the
     * token's checks ({@link PlayerTokens#verify}), then the route must be one of a player's reads and its
     * {@code {user_id}} the token's player. Open routes and a server without keys ask for nothing (a credential
     * sent anyway is ignored).
     */
    private Principal authorize(RouteTable.Match match, HttpServerExchange exchange) {
        Route route = match.route();
        if (route.open() || !required) {
            return Principal.NOBODY;
        }
        HeaderValues authorization = exchange.getRequestHeaders().get(Headers.AUTHORIZATION);
        if (authorization != null && authorization.size() > 1) {
            throw new ApiException(
                    HttpErrorCode.UNAUTHENTICATED,
                    "send exactly one Authorization header",
                    Map.of(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"wallet-ledger\", error=\"invalid_request\""));
        }
        String header = authorization == null ? null : authorization.getFirst();
        Credentials keys = credentials.get();
        String bearer = header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip()
                : null;
        if (bearer == null || bearer.startsWith(ApiKeys.PREFIX) || !tokensOn(keys)) {
            ApiKeys.ApiKey key = keys.apiKeys().authenticate(header);
            ApiKeys.requireScope(key, route.scopes());
            return new Principal(Optional.of(key), Optional.empty());
        }
        PlayerTokens.Player player;
        try {
            player = verifiedTokens.verify(bearer, keys.tokenKeys(), Instant.now());
        } catch (PlayerTokens.Refused refused) {
            throw ApiKeys.unauthenticated("the player token is not valid: " + refused.getMessage(), true);
        }
        if (!route.players()) {
            throw ApiKeys.forbidden(
                    "a player token reads its own wallet only (balance, lots, history, holds, its transactions"
                            + " and holds by id); this endpoint needs an API key",
                    route.scopes());
        }
        String user = match.pathParameters().get("user_id");
        if (user != null && !Normalizer.normalize(user, Normalizer.Form.NFC).equals(player.userId())) {
            throw ApiKeys.forbidden("a player token reads its own wallet only; this is another user's", route.scopes());
        }
        return new Principal(Optional.empty(), Optional.of(player));
    }

    /** Tokens are tried when the server was configured for them (a keys file), even while it holds no key. */
    private boolean tokensOn(Credentials keys) {
        return tokensConfigured || !keys.tokenKeys().isEmpty();
    }

    private static boolean hasBody(HttpServerExchange exchange) {
        return exchange.getRequestContentLength() > 0
                || exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
    }

    private static void requireJson(HttpServerExchange exchange) {
        HeaderValues values = exchange.getRequestHeaders().get(Headers.CONTENT_TYPE);
        if (values == null || values.size() != 1 || !isJson(values.getFirst())) {
            throw new ApiException(
                    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json (UTF-8)");
        }
        HeaderValues encodings = exchange.getRequestHeaders().get(Headers.CONTENT_ENCODING);
        if (encodings != null) {
            for (String encoding : encodings) {
                if (!encoding.strip().equalsIgnoreCase("identity")) {
                    String named = RouteTable.shorten(encoding.strip());
                    throw new ApiException(
                            HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
                            "Content-Encoding " + named + " is not supported: send the body uncompressed",
                            Map.of("content_encoding", named),
                            Map.of("Accept-Encoding", "identity"));
                }
            }
        }
    }

    /** {@code application/json}, optionally with {@code charset=utf-8}; nothing else. */
    static boolean isJson(String contentType) {
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (!parameter.equals("charset=utf-8")) {
                return false;
            }
        }
        return parts.length <= 2;
    }

    /**
     * Reads and drops the body of a request answered without it (401, 404, 415...): an exchange ends only
     * when its request is read, so leaving it would hold the in-flight permit and make graceful shutdown
     * wait. Bounded like any body read; when it fails the connection is closed after the answer.
     */
    private static void discardBody(HttpServerExchange exchange, long deadlineNanos) {
        try {
            readBody(exchange, deadlineNanos);
        } catch (ApiException tooLargeOrTooSlow) {
            exchange.setPersistent(false); // do not parse the rest of it as the next request
        }
    }

    /**
     * At most {@link #BODY_BYTES_MAX} bytes, read by {@code deadlineNanos}: a client trickling its body
     * holds a worker thread, so the whole read is bounded (each read also stops after the socket's read
     * timeout of silence). Late: 408 and the connection is closed. The stream is never closed here:
     * Undertow's close drains the rest of the body, blocking, with no deadline.
     */
    private static byte[] readBody(HttpServerExchange exchange, long deadlineNanos) {
        StreamSourceChannel channel = exchange.getRequestChannel();
        if (channel == null) {
            throw new ApiException(HttpErrorCode.MALFORMED_REQUEST, "the request body could not be read");
        }
        try {
            long declared = exchange.getRequestContentLength();
            byte[] body = new byte[declared >= 0 ? (int) Math.min(declared, BODY_BYTES_MAX) + 1 : 8192];
            int length = 0;
            while (length <= BODY_BYTES_MAX) {
                requireInTime(exchange, deadlineNanos); // also between reads that each return a byte
                if (length == body.length) {
                    body = Arrays.copyOf(body, Math.min(body.length * 2, BODY_BYTES_MAX + 1));
                }
                int n = read(exchange, channel, ByteBuffer.wrap(body, length, body.length - length), deadlineNanos);
                if (n < 0) {
                    return length == body.length ? body : Arrays.copyOf(body, length);
                }
                length += n;
            }
            exchange.setPersistent(false);
            drain(exchange, channel, deadlineNanos); // so the client reads the 413 rather than a reset
            throw tooLargeException();
        } catch (RequestTooBigException e) {
            exchange.setPersistent(false);
            throw tooLargeException();
        } catch (IOException e) {
            exchange.setPersistent(false);
            throw new ApiException(HttpErrorCode.MALFORMED_REQUEST, "the request body could not be read");
        }
    }

    /**
     * One read of at least a byte (or the end, -1) into {@code into}, waiting for the socket at most until
     * {@code deadlineNanos}; each wait is also cut by the socket's read timeout of silence.
     */
    private static int read(
            HttpServerExchange exchange, StreamSourceChannel channel, ByteBuffer into, long deadlineNanos)
            throws IOException {
        while (true) {
            int n = channel.read(into);
            if (n != 0) {
                return n;
            }
            requireInTime(exchange, deadlineNanos);
            channel.awaitReadable(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Reads and drops the rest of a body, up to {@link #ENTITY_BYTES_MAX} (Undertow stops there anyway). */
    private static void drain(HttpServerExchange exchange, StreamSourceChannel channel, long deadlineNanos)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        long drained = 0;
        for (int n = 0; n >= 0 && drained <= ENTITY_BYTES_MAX; n = read(exchange, channel, buffer, deadlineNanos)) {
            drained += n;
            buffer.clear();
            requireInTime(exchange, deadlineNanos);
        }
    }

    private static void requireInTime(HttpServerExchange exchange, long deadlineNanos) {
        if (System.nanoTime() - deadlineNanos > 0) {
            IoUtils.safeClose(exchange.getConnection()); // no answer can be read past a half-sent body anyway
            throw new ApiException(HttpErrorCode.REQUEST_TIMEOUT, "the request body arrived too slowly");
        }
    }

    private static ApiException tooLargeException() {
        return new ApiException(
                HttpErrorCode.PAYLOAD_TOO_LARGE,
                "the request body must be at most " + BODY_BYTES_MAX + " bytes",
                Map.of("limit_bytes", BODY_BYTES_MAX),
                Map.of());
    }

    private static HttpResponse tooLarge() {
        return ErrorMapping.response(tooLargeException());
    }

    private void finish(
            HttpServerExchange exchange,
            HttpResponse response,
            String route,
            String requestId,
            String keyId,
            long start,
            Throwable failure) {
        exchange.setStatusCode(response.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, response.contentType());
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        response.headers()
                .forEach((name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
        exchange.setResponseContentLength(response.body().length);
        long nanos = System.nanoTime() - start;
        metrics.record(route, response.status(), nanos);
        log(exchange, response.status(), route, requestId, keyId, nanos, failure);
        ByteBuffer body = ByteBuffer.wrap(response.body());
        if (exchange.isInIoThread()) {
            send(exchange, body, requestId);
            return;
        }
        try {
            exchange.getIoThread().execute(() -> send(exchange, body, requestId));
        } catch (RejectedExecutionException stopping) {
            IoUtils.safeClose(exchange.getConnection()); // the server is stopping: no thread is left to write
        }
    }

    /**
     * Writes the answer without blocking, on the connection's IO thread, and ends the exchange there. A request
     * whose body could not be drained ends with its connection: left open, the exchange (and its in-flight
     * permit) would stay until the client hung up.
     */
    private static void send(HttpServerExchange exchange, ByteBuffer body, String requestId) {
        exchange.getResponseSender().send(body, new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange done, Sender sender) {
                boolean drained = done.isRequestComplete();
                IoCallback.END_EXCHANGE.onComplete(done, sender);
                if (!drained) {
                    IoUtils.safeClose(done.getConnection());
                }
            }

            @Override
            public void onException(HttpServerExchange failed, Sender sender, IOException exception) {
                LOG.debug("request {}: the client went away before the answer was written", requestId);
                IoCallback.END_EXCHANGE.onException(failed, sender, exception);
            }
        });
    }

    private static void log(
            HttpServerExchange exchange,
            int status,
            String route,
            String requestId,
            String keyId,
            long nanos,
            Throwable failure) {
        var event = (status >= 500 ? ACCESS.atWarn() : ACCESS.atInfo())
                .addKeyValue("request_id", requestId)
                .addKeyValue(
                        "method", RouteTable.shorten(exchange.getRequestMethod().toString()))
                .addKeyValue("path", RouteTable.shorten(exchange.getRequestPath()))
                .addKeyValue("route", route)
                .addKeyValue("key", keyId) // the key's id only; the key itself is never logged
                .addKeyValue("status", status)
                .addKeyValue("ms", String.format(Locale.ROOT, "%.2f", nanos / 1e6));
        if (status >= 500 && failure != null) {
            event = event.setCause(failure); // stack traces for 5xx only; 4xx are the client's business
        }
        event.log("request");
    }

    private static String requestId(HttpServerExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(REQUEST_ID_HEADER);
        return given != null && REQUEST_ID.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
    }
}
