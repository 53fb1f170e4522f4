package dev.walletledger.http;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Ledger;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's audit ({@link Ledger#verify}) run in the background for an operator, who polls its progress.
 *
 * <p>One run at a time per server: the audit reads every row in one snapshot, and two of them only slow each
 * other. Asking while one runs answers with that run (so a double click starts one). The last {@link #KEPT}
 * runs are kept, in memory, for their reports; a restart forgets them. The anchors taken here are kept the
 * same way: the last one is what an operator compares with the copy kept outside the database.
 */
final class VerifyRuns {
    static final int KEPT = 16;
    private static final Logger LOG = LoggerFactory.getLogger(VerifyRuns.class);

    /** A run's state; {@code report} once it ended, {@code error} when it could not run to the end. */
    record Run(
            UUID id,
            String state,
            long done,
            long total,
            Instant startedAt,
            Optional<Instant> endedAt,
            Optional<Anchor> anchor,
            Optional<AuditReport> report,
            Optional<String> error,
            Optional<String> actor) {}

    /** An anchor this server took, when, and for whom. */
    record TakenAnchor(Anchor anchor, Instant takenAt, Optional<String> actor) {}

    private final Ledger ledger;
    private final Clock clock;
    private final Map<UUID, Run> runs = new LinkedHashMap<>();
    private UUID running;
    private TakenAnchor lastAnchor;

    VerifyRuns(Ledger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Starts a run, or answers the one in progress. */
    synchronized Run start(Optional<Anchor> anchor, Optional<String> actor) {
        if (running != null) {
            return runs.get(running);
        }
        UUID id = UUID.randomUUID();
        Run run = new Run(
                id,
                "running",
                0,
                0,
                clock.instant(),
                Optional.empty(),
                anchor,
                Optional.empty(),
                Optional.empty(),
                actor);
        put(run);
        running = id;
        AtomicLong lastReport = new AtomicLong();
        AuditProgress progress = (done, total) -> {
            long now = System.nanoTime();
            if (done == total || now - lastReport.get() > 50_000_000L) { // at most 20 updates a second
                lastReport.set(now);
                update(id, done, total);
            }
        };
        // A thread of its own (one at most, as one run at most), a daemon: a server stopping does not wait for it.
        Thread thread = new Thread(
                () -> {
                    try {
                        AuditReport report =
                                anchor.isPresent() ? ledger.verify(anchor.get(), progress) : ledger.verify(progress);
                        finish(id, Optional.of(report), Optional.empty());
                        LOG.info("verify run {}: {} violation(s)", id, report.violationCount());
                    } catch (RuntimeException e) {
                        LOG.warn("verify run {} could not finish: {}", id, e.toString());
                        finish(
                                id,
                                Optional.empty(),
                                Optional.of("the audit could not run to its end: " + e.getMessage()));
                    }
                },
                "wallet-verify");
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    synchronized Optional<Run> get(UUID id) {
        return Optional.ofNullable(runs.get(id));
    }

    private synchronized void update(UUID id, long done, long total) {
        Run r = runs.get(id);
        runs.put(
                id,
                new Run(
                        r.id(),
                        r.state(),
                        done,
                        total,
                        r.startedAt(),
                        r.endedAt(),
                        r.anchor(),
                        r.report(),
                        r.error(),
                        r.actor()));
    }

    private synchronized void finish(UUID id, Optional<AuditReport> report, Optional<String> error) {
        Run r = runs.get(id);
        String state = report.map(a -> a.consistent() ? "passed" : "failed").orElse("error");
        runs.put(
                id,
                new Run(
                        r.id(),
                        state,
                        report.isPresent() ? r.total() : r.done(),
                        r.total(),
                        r.startedAt(),
                        Optional.of(clock.instant()),
                        r.anchor(),
                        report,
                        error,
                        r.actor()));
        running = null;
    }

    private void put(Run run) {
        runs.put(run.id(), run);
        while (runs.size() > KEPT) { // the oldest first; the running one is the newest
            runs.remove(runs.keySet().iterator().next());
        }
    }

    /** Takes an anchor now (a brief SHARE lock on the entries: see {@link Ledger#anchor()}) and keeps it. */
    TakenAnchor takeAnchor(Optional<String> actor) {
        Anchor anchor = ledger.anchor();
        TakenAnchor taken = new TakenAnchor(anchor, clock.instant(), actor);
        synchronized (this) {
            lastAnchor = taken;
        }
        LOG.info("anchor taken: {}", anchor);
        return taken;
    }

    synchronized Optional<TakenAnchor> lastAnchor() {
        return Optional.ofNullable(lastAnchor);
    }
}
