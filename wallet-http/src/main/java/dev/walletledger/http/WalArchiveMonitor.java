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

    WalArchiveMonitor(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Checks now (so the first health answer knows), then every {@link #PERIOD_SECONDS} s. */
    WalArchiveMonitor start() {
        thread.scheduleWithFixedDelay(this::check, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    Optional<State> state() {
        return last;
    }

    void check() {
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
        Optional<State> state = last;
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
