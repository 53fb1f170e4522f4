package dev.walletledger.http;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches PostgreSQL's WAL archiving ({@code pg_stat_archiver}) every {@link #PERIOD_SECONDS} s, when
 * {@code archive_mode} is on: on the embedded PostgreSQL with {@code WALLET_WAL_ARCHIVE_DIR}, or on an
 * external server that archives. A failing archive (a full disk, the archive's bound reached, a broken
 * command) is logged at ERROR at every check while it lasts, shows in the health answer's details and in
 * {@code /metrics}; PostgreSQL keeps the WAL it could not archive and retries, so nothing is lost meanwhile.
 */
final class WalArchiveMonitor implements AutoCloseable {
    static final long PERIOD_SECONDS = 10;
    /** Files waiting with nothing archived for this long is a stall (the archive timeout is 5 minutes). */
    static final Duration STALLED = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(WalArchiveMonitor.class);
    private static final String STATE = """
            SELECT current_setting('archive_mode'), archived_count, failed_count, last_archived_wal,
                   last_archived_time, last_failed_wal, last_failed_time
              FROM pg_stat_archiver
            """;
    /** Needs superuser or pg_monitor: the embedded PostgreSQL's user has it; elsewhere it may be unknown. */
    private static final String PENDING = "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'";

    /** What the last check saw; {@code pending} is -1 when it could not be read. */
    record State(
            boolean enabled,
            long archived,
            long failed,
            Optional<String> lastArchivedWal,
            Optional<Instant> lastArchivedAt,
            Optional<String> lastFailedWal,
            Optional<Instant> lastFailedAt,
            long pending,
            Instant checkedAt) {
        /**
         * The latest attempt failed (archiving is stuck until the cause is fixed), or files have waited
         * longer than {@link #STALLED} with none archived (a command that hangs rather than fails).
         */
        boolean failing() {
            boolean failed = lastFailedAt.isPresent()
                    && (lastArchivedAt.isEmpty() || lastFailedAt.get().isAfter(lastArchivedAt.get()));
            boolean stalled = pending > 1
                    && lastArchivedAt
                            .map(at -> at.plus(STALLED).isBefore(checkedAt))
                            .orElse(false);
            return enabled && (failed || stalled);
        }

        String status() {
            return !enabled ? "off" : failing() ? "failing" : "ok";
        }
    }

    private final DataSource dataSource;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "wallet-wal-archive-monitor");
        t.setDaemon(true);
        return t;
    });
    private volatile Optional<State> last = Optional.empty();
    private volatile Instant attemptedAt = Instant.EPOCH;

    WalArchiveMonitor(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Checks now (so the first health answer knows), then every {@link #PERIOD_SECONDS} s. */
    WalArchiveMonitor start() {
        thread.scheduleWithFixedDelay(this::check, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    /** How old a state may be when health or /metrics asks for it; older, it is read again first. */
    static final Duration FRESH = Duration.ofSeconds(1);
    /** How long a caller waits for that read before it answers with the state it has. */
    static final long REFRESH_WAIT_MILLIS = 500;

    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>> refreshing =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The archive's state as of at most {@link #FRESH} ago: read again when older (one read at a time, shared
     * by every caller meanwhile, who waits for it), waited for at most {@link #REFRESH_WAIT_MILLIS}; a read
     * that takes longer leaves the caller the state it had. Health and /metrics answer from it, so they agree.
     */
    Optional<State> state() {
        return state(REFRESH_WAIT_MILLIS);
    }

    /** As {@link #state()}, waiting at most {@code waitMillis} (0: not at all) for a read it starts or joins. */
    Optional<State> state(long waitMillis) {
        java.util.concurrent.Future<?> read = refreshing.get();
        boolean reading = read != null && !read.isDone();
        if (!reading && attemptedAt.plus(FRESH).isAfter(Instant.now())) {
            return last; // read within the last second: as good as it gets
        }
        if (!reading) {
            java.util.concurrent.Future<?> started;
            try {
                started = thread.submit(this::check);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                return last;
            }
            read = refreshing.compareAndSet(read, started) ? started : refreshing.get();
        }
        try {
            read.get(Math.max(0, Math.min(waitMillis, REFRESH_WAIT_MILLIS)), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // the state it had: the read goes on, and the next caller gets its result
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    void check() {
        attemptedAt = Instant.now();
        try (Connection connection = dataSource.getConnection()) {
            connection.setNetworkTimeout(Runnable::run, 5_000);
            State state = read(connection);
            Optional<State> before = last;
            last = Optional.of(state);
            report(before, state);
        } catch (SQLException | RuntimeException e) {
            // Not known any more: health drops the section rather than keep an old "ok" (the database's
            // own health says why).
            last = Optional.empty();
            LOG.debug("WAL archive check failed: {}", e.getMessage());
        }
    }

    private static State read(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(STATE);
                ResultSet row = statement.executeQuery()) {
            row.next();
            boolean enabled = !"off".equals(row.getString(1));
            return new State(
                    enabled,
                    row.getLong(2),
                    row.getLong(3),
                    Optional.ofNullable(row.getString(4)),
                    instant(row.getTimestamp(5)),
                    Optional.ofNullable(row.getString(6)),
                    instant(row.getTimestamp(7)),
                    enabled ? pending(connection) : -1,
                    Instant.now());
        }
    }

    /** WAL files waiting to be archived; -1 when this role may not list them. */
    private static long pending(Connection connection) {
        try (PreparedStatement statement = connection.prepareStatement(PENDING);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            return -1; // autocommit: the refusal ends with its own statement
        }
    }

    private static void report(Optional<State> before, State now) {
        if (now.failing()) {
            LOG.error(
                    "!!! WAL ARCHIVING IS FAILING: {} failure(s), the last for {} at {}; {} WAL file(s) wait in"
                            + " PostgreSQL's pg_wal, which grows until the cause (a full disk, the archive's bound,"
                            + " its permissions) is fixed. Backups cannot be restored past the last archived file"
                            + " ({}) meanwhile !!!",
                    now.failed(),
                    now.lastFailedWal().orElse("?"),
                    now.lastFailedAt().map(Instant::toString).orElse("?"),
                    now.pending() < 0 ? "some" : Long.toString(now.pending()),
                    now.lastArchivedWal().orElse("none yet"));
        } else if (before.isPresent() && before.get().failing()) {
            LOG.info(
                    "WAL archiving works again: {} archived",
                    now.lastArchivedWal().orElse("?"));
        }
    }

    List<HttpMetrics.Sample> samples() {
        Optional<State> state = state();
        if (state.isEmpty() || !state.get().enabled()) {
            return List.of();
        }
        State s = state.get();
        List<HttpMetrics.Sample> samples = new java.util.ArrayList<>(List.of(
                new HttpMetrics.Sample(
                        "wallet_wal_archive_archived_total", "counter", "WAL files archived.", s.archived()),
                new HttpMetrics.Sample(
                        "wallet_wal_archive_failed_total",
                        "counter",
                        "Failed attempts to archive a WAL file.",
                        s.failed()),
                new HttpMetrics.Sample(
                        "wallet_wal_archive_failing",
                        "gauge",
                        "1 while the latest attempt to archive failed.",
                        s.failing() ? 1 : 0)));
        if (s.pending() >= 0) {
            samples.add(new HttpMetrics.Sample(
                    "wallet_wal_archive_pending_files", "gauge", "WAL files waiting to be archived.", s.pending()));
        }
        s.lastArchivedAt()
                .ifPresent(at -> samples.add(new HttpMetrics.Sample(
                        "wallet_wal_archive_last_archived_age_seconds",
                        "gauge",
                        "Seconds since a WAL file was last archived, as of the last check.",
                        Math.max(0, Duration.between(at, s.checkedAt()).toSeconds()))));
        return samples;
    }

    private static Optional<Instant> instant(Timestamp timestamp) {
        return timestamp == null ? Optional.empty() : Optional.of(timestamp.toInstant());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
