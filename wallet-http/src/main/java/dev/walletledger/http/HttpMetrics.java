package dev.walletledger.http;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.walletledger.core.LedgerMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Request counters and latency histograms by route, rendered with the ledger's counters and the pool's
 * state in the Prometheus text format. Labels are bounded: routes come from the route table (plus
 * {@code unmatched}), statuses from the few this server sends.
 */
final class HttpMetrics {
    /** Histogram bucket upper bounds, in seconds. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latencies = new ConcurrentHashMap<>();
    private final LongAdder rejectedBusy = new LongAdder();

    private static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i].increment();
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }
    }

    void record(String route, int status, long nanos) {
        requests.computeIfAbsent(route + "\u0000" + status, key -> new LongAdder())
                .increment();
        latencies.computeIfAbsent(route, key -> new Histogram()).record(nanos);
    }

    void rejectedBusy() {
        rejectedBusy.increment();
    }

    /** A sample computed at scrape time by someone else (the replica's lag, the WAL archive's state). */
    record Sample(String name, String type, String help, long value) {}

    String render(LedgerMetrics ledger, DataSource dataSource, int inFlight, List<Sample> extra) {
        StringBuilder out = new StringBuilder(4096);
        requests(out);
        latencies(out);
        gauge(out, "wallet_http_requests_in_flight", "Requests being handled now.", inFlight);
        counter(
                out,
                "wallet_http_requests_rejected_busy_total",
                "Requests refused with 503 because too many were in flight.",
                rejectedBusy.sum());
        ledger(out, ledger);
        pool(out, dataSource);
        for (Sample sample : extra) {
            header(out, sample.name(), sample.type(), sample.help());
            out.append(sample.name()).append(' ').append(sample.value()).append('\n');
        }
        return out.toString();
    }

    private void requests(StringBuilder out) {
        header(out, "wallet_http_requests_total", "counter", "HTTP requests answered, by route and status.");
        new TreeMap<>(requests).forEach((key, count) -> {
            String[] parts = key.split("\u0000", 2);
            out.append("wallet_http_requests_total{route=\"")
                    .append(parts[0])
                    .append("\",status=\"")
                    .append(parts[1])
                    .append("\"} ")
                    .append(count.sum())
                    .append('\n');
        });
    }

    private void latencies(StringBuilder out) {
        header(out, "wallet_http_request_duration_seconds", "histogram", "Time from request to response, by route.");
        new TreeMap<>(latencies).forEach((route, histogram) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("wallet_http_request_duration_seconds_bucket{route=\"")
                        .append(route)
                        .append("\",le=\"")
                        .append(BUCKETS[i])
                        .append("\"} ")
                        .append(histogram.buckets[i].sum())
                        .append('\n');
            }
            long count = histogram.count.sum();
            out.append("wallet_http_request_duration_seconds_bucket{route=\"")
                    .append(route)
                    .append("\",le=\"+Inf\"} ")
                    .append(count)
                    .append('\n');
            out.append("wallet_http_request_duration_seconds_sum{route=\"")
                    .append(route)
                    .append("\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", histogram.sumNanos.sum() / 1e9))
                    .append('\n');
            out.append("wallet_http_request_duration_seconds_count{route=\"")
                    .append(route)
                    .append("\"} ")
                    .append(count)
                    .append('\n');
        });
    }

    private static void ledger(StringBuilder out, LedgerMetrics ledger) {
        counter(out, "wallet_ledger_operations_applied_total", "Operations applied.", ledger.operationsApplied());
        counter(
                out,
                "wallet_ledger_operations_replayed_total",
                "Operations answered as idempotent replays.",
                ledger.operationsReplayed());
        counter(
                out,
                "wallet_ledger_operations_refused_total",
                "Operations refused (funds, conflicts...).",
                ledger.operationsRefused());
        counter(
                out,
                "wallet_ledger_transactions_committed_total",
                "Database transactions committed.",
                ledger.transactionsCommitted());
        counter(
                out,
                "wallet_ledger_retries_total",
                "Database transactions re-run after a serialization failure, deadlock or lost connection.",
                ledger.retries());
        counter(out, "wallet_ledger_busy_total", "Calls that ran out of retries (answered BUSY).", ledger.busy());
        counter(
                out,
                "wallet_ledger_storage_failures_total",
                "Calls that failed because the database was unavailable.",
                ledger.storageFailures());
    }

    private static void pool(StringBuilder out, DataSource dataSource) {
        if (!(dataSource instanceof HikariDataSource hikari)) {
            return;
        }
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        if (pool != null) {
            gauge(out, "wallet_pool_connections_active", "Pool connections in use.", pool.getActiveConnections());
            gauge(out, "wallet_pool_connections_idle", "Pool connections idle.", pool.getIdleConnections());
            gauge(out, "wallet_pool_connections_total", "Pool connections open.", pool.getTotalConnections());
            gauge(
                    out,
                    "wallet_pool_threads_awaiting_connection",
                    "Threads waiting for a pool connection.",
                    pool.getThreadsAwaitingConnection());
        }
        gauge(out, "wallet_pool_connections_max", "The pool's maximum size.", hikari.getMaximumPoolSize());
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }
}
