package dev.walletledger.http;

import dev.walletledger.core.Ledger;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private WalletServer(Undertow undertow, GracefulShutdownHandler shutdown, int port) {
        this.undertow = undertow;
        this.shutdown = shutdown;
        this.port = port;
    }

    /** Starts serving {@code ledger} on {@code config.host():config.port()}; port 0 picks a free one. */
    public static WalletServer start(ServerConfig config, Ledger ledger, DataSource dataSource) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(dataSource, "dataSource");
        HttpMetrics metrics = new HttpMetrics();
        RequestPipeline[] pipeline = new RequestPipeline[1];
        Endpoints endpoints = new Endpoints(ledger, dataSource, metrics, () -> pipeline[0].inFlight(), openApi(),
                version());
        pipeline[0] = new RequestPipeline(endpoints.routes(), metrics, IN_FLIGHT_MAX);
        GracefulShutdownHandler shutdown = new GracefulShutdownHandler(pipeline[0]);
        int workers = Math.max(8, Math.min(128, config.poolSize() * 2));
        Undertow undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setIoThreads(2)
                .setWorkerThreads(workers)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, RequestPipeline.ENTITY_BYTES_MAX)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
                .setServerOption(UndertowOptions.MAX_HEADERS, 100)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 32)
                .setServerOption(UndertowOptions.DECODE_URL, false) // RouteTable decodes each segment itself
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000) // slow headers
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000) // idle keep-alive connections
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setHandler(shutdown)
                .build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        LOG.info("serving on http://{}:{} ({} worker threads)", config.host(), port, workers);
        return new WalletServer(undertow, shutdown, port);
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
