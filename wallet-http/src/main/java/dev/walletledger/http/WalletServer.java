package dev.walletledger.http;

import dev.walletledger.core.EventQuery;
import dev.walletledger.core.Ledger;
import dev.walletledger.http.tokens.TokenKeys;
import dev.walletledger.http.webhooks.WebhookDispatcher;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The REST server over a {@link Ledger}: Undertow, the route table and the request pipeline. It owns
 * neither the ledger nor the data source; {@link Main} wires the standalone process, tests build one
 * in-process on port 0.
 */
public final class WalletServer implements AutoCloseable {
    /** Requests handled at once (queued for a worker or running); beyond it the answer is 503 BUSY. */
    public static final int IN_FLIGHT_MAX = 256;
    /** How long {@link #close()} waits for requests in flight to finish. */
    public static final long SHUTDOWN_WAIT_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(WalletServer.class);

    private final Undertow undertow;
    private final GracefulShutdownHandler shutdown;
    private final int port;
    private boolean closed;

    private final WalArchiveMonitor archive;
    private final HoldSweeper sweeper;
    private final WebhookDispatcher webhooks;
    private final KeyFileWatcher keyFiles;

    private WalletServer(
            Undertow undertow,
            GracefulShutdownHandler shutdown,
            int port,
            WalArchiveMonitor archive,
            HoldSweeper sweeper,
            WebhookDispatcher webhooks,
            KeyFileWatcher keyFiles) {
        this.keyFiles = keyFiles;
        this.webhooks = webhooks;
        this.archive = archive;
        this.sweeper = sweeper;
        this.undertow = undertow;
        this.shutdown = shutdown;
        this.port = port;
    }

    /**
     * Starts serving {@code ledger} on {@code config.listener().host():config.port()}; port 0 picks a free one.
     *
     * <p>The configuration has already refused an address other machines can reach without API keys
     * (see {@link ServerConfig#access()}).
     */
    public static WalletServer start(ServerConfig config, Ledger ledger, DataSource dataSource) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(dataSource, "dataSource");
        ServerConfig.Access access = config.access();
        HttpMetrics metrics = new HttpMetrics();
        InFlight inFlight = new InFlight(IN_FLIGHT_MAX);
        WalArchiveMonitor archive = new WalArchiveMonitor(dataSource).start();
        HoldSweeper sweeper = new HoldSweeper(ledger).start();
        WebhookDispatcher webhooks = dispatcher(config, ledger).start();
        int workers = workers(config.database().poolSize());
        Endpoints endpoints = new Endpoints(
                ledger,
                dataSource,
                metrics,
                inFlight::count,
                openApi(),
                version(),
                archive,
                longPollsMax(workers),
                new WebhookEndpoints(ledger, config.webhooks(), webhooks));
        Limits limits = config.listener().limits();
        AtomicReference<Credentials> credentials = new AtomicReference<>(
                new Credentials(config.auth().apiKeys(), config.auth().tokens().keys()));
        RequestPipeline pipeline = new RequestPipeline(
                endpoints.routes(),
                metrics,
                inFlight,
                credentials::get,
                access == ServerConfig.Access.KEYS,
                config.auth().tokens(),
                limits.bodyReadTimeoutMillis());
        GracefulShutdownHandler shutdown = new GracefulShutdownHandler(pipeline);
        Undertow.Builder builder = Undertow.builder();
        ServerConfig.Listener listener = config.listener();
        if (listener.tls().isPresent()) {
            Tls tls = listener.tls().get();
            builder.addHttpsListener(listener.port(), listener.host(), tls.context())
                    .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of("TLSv1.3", "TLSv1.2"))
                    .setSocketOption(
                            Options.SSL_CLIENT_AUTH_MODE,
                            tls.mutual() ? SslClientAuthMode.REQUIRED : SslClientAuthMode.NOT_REQUESTED);
        } else {
            builder.addHttpListener(listener.port(), listener.host());
        }
        Undertow undertow = builder.setIoThreads(2)
                .setWorkerThreads(workers)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, RequestPipeline.ENTITY_BYTES_MAX)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, limits.headerBytesMax())
                .setServerOption(UndertowOptions.MAX_HEADERS, limits.headersMax())
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 32)
                .setServerOption(UndertowOptions.DECODE_URL, false) // RouteTable decodes each segment itself
                // Raw non-ASCII bytes in the request line reach RouteTable, which refuses them with a JSON 400
                // (Undertow's own refusal is a bare 400 with no request id and no log line). A malformed
                // percent-escape never gets that far: RequestParser.isPercentEncodedSequenceChar refuses it
                // whatever these options say (README, Errors; HttpEdgeTest pins it).
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, limits.requestParseTimeoutMillis()) // slowloris
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, limits.idleTimeoutMillis()) // idle keep-alive
                .setSocketOption(Options.READ_TIMEOUT, limits.readTimeoutMillis()) // silence while reading
                .setSocketOption(Options.WRITE_TIMEOUT, limits.writeTimeoutMillis()) // answers left unread
                // Accepting stops at the high-water mark and resumes below the low one.
                .setSocketOption(Options.CONNECTION_HIGH_WATER, limits.connectionsMax())
                .setSocketOption(Options.CONNECTION_LOW_WATER, limits.connectionsMax())
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setHandler(shutdown)
                .build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        String scheme = listener.tls().isPresent() ? "https" : "http";
        LOG.info(
                "serving on {}://{}:{} ({} worker threads, at most {} connections){}",
                scheme,
                listener.host(),
                port,
                workers,
                limits.connectionsMax(),
                listener.tls()
                        .map(tls -> tls.mutual() ? "; client certificates required" : "")
                        .orElse(""));
        announce(access, config);
        KeyFileWatcher watcher = KeyFileWatcher.start(watched(config.auth(), credentials), KeyFileWatcher.POLL_MILLIS);
        return new WalletServer(undertow, shutdown, port, archive, sweeper, webhooks, watcher);
    }

    /**
     * The webhook dispatcher, leasing as a fresh owner (a restarted server does not take its predecessor's leases
     * for its own: they run out). Each event's body is the feed's JSON of it.
     */
    private static WebhookDispatcher dispatcher(ServerConfig config, Ledger ledger) {
        WebhookDispatcher.Feed feed = new WebhookDispatcher.Feed() {
            @Override
            public dev.walletledger.core.EventPage read(String after, java.util.Set<String> types, int limit) {
                return ledger.events(
                        new EventQuery(java.util.Optional.of(after), types, limit, java.time.Duration.ZERO));
            }

            @Override
            public String end() {
                return ledger.eventsEnd();
            }
        };
        return new WebhookDispatcher(
                ledger.webhookDeliveries(java.util.UUID.randomUUID()),
                feed,
                dev.walletledger.http.wire.Bodies::event, // the feed's JSON of the event, byte for byte
                config.webhooks());
    }

    /**
     * The key files to re-read when they change: each swaps its half of the credentials in force. The inline keys
     * ({@code WALLET_API_KEYS}) are parsed again with the file's, so they stay whatever the file says.
     */
    private static List<KeyFileWatcher.Watched<?>> watched(
            ServerConfig.Auth auth, AtomicReference<Credentials> credentials) {
        List<KeyFileWatcher.Watched<?>> files = new ArrayList<>();
        auth.apiKeysFile()
                .ifPresent(path -> files.add(new KeyFileWatcher.Watched<ApiKeys>(
                        "WALLET_API_KEYS_FILE",
                        path,
                        ServerConfig.KEYS_FILE_BYTES_MAX,
                        auth::parseApiKeys,
                        keys -> credentials.updateAndGet(c -> c.withApiKeys(keys)),
                        keys -> keys.size() + " API key(s): " + String.join(", ", keys.ids()))));
        auth.tokens()
                .keysFile()
                .ifPresent(path -> files.add(new KeyFileWatcher.Watched<TokenKeys>(
                        "WALLET_TOKEN_KEYS_FILE",
                        path,
                        ServerConfig.TOKEN_KEYS_FILE_BYTES_MAX,
                        text -> TokenKeys.parse("WALLET_TOKEN_KEYS_FILE " + path, text),
                        keys -> credentials.updateAndGet(c -> c.withTokenKeys(keys)),
                        keys -> keys.size() + " token key(s): " + String.join(", ", keys.ids()))));
        return files;
    }

    /** Undertow's worker threads: twice the connection pool, 8 to 128. */
    static int workers(int poolSize) {
        return Math.max(8, Math.min(128, poolSize * 2));
    }

    /**
     * The feed's long polls waiting at once: a quarter of the worker threads, so waiting readers can never take the
     * workers that writes and reads need (each holds one for up to 30 s; it holds a database connection only for
     * its reads, at most every 100 ms).
     */
    static int longPollsMax(int workers) {
        return Math.max(1, workers / 4);
    }

    private static void announce(ServerConfig.Access access, ServerConfig config) {
        switch (access) {
            case KEYS -> {
                LOG.info(
                        "API keys required (health excepted): {} key(s): {}",
                        config.auth().apiKeys().size(),
                        String.join(", ", config.auth().apiKeys().ids()));
                ServerConfig.Tokens tokens = config.auth().tokens();
                if (tokens.enabled()) {
                    LOG.info(
                            "player tokens accepted for their own reads: audience {}, {} token key(s): {}",
                            tokens.settings().audience(),
                            tokens.keys().size(),
                            String.join(", ", tokens.keys().ids()));
                }
            }
            case OPEN_LOOPBACK ->
                LOG.warn(
                        "no API keys configured: serving WITHOUT authentication, on loopback "
                                + "({}) only; configure WALLET_API_KEYS_FILE before listening on another address",
                        config.listener().host());
            case OPEN_BY_OPERATOR -> {
                for (int i = 0; i < 3; i++) {
                    LOG.warn(
                            "!!! NO AUTHENTICATION on {}: anyone who can reach this port can move money "
                                    + "(WALLET_ALLOW_NO_AUTH=true) !!!",
                            config.listener().host());
                }
            }
        }
    }

    public int port() {
        return port;
    }

    /** Stops taking requests (503 for new ones), waits for those in flight, then closes the listener. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown.shutdown();
        try {
            if (!shutdown.awaitShutdown(SHUTDOWN_WAIT_MILLIS)) {
                LOG.warn("requests still in flight after {} ms; stopping anyway", SHUTDOWN_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        keyFiles.close();
        archive.close();
        sweeper.close();
        webhooks.close();
    }

    static byte[] openApi() {
        try (InputStream in = WalletServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String version() {
        String version = WalletServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
