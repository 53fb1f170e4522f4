package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.WalletException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit for single operations. Callers queue their operation and wait; a few committer threads
 * ("lanes") each take whatever is queued — up to {@code batchSizeMax} — and apply it as one independent
 * batch: one database transaction, one commit, one WAL flush for many requests. Each operation keeps
 * its own outcome, and no caller is answered before the commit that holds its operation.
 *
 * <p>No operation waits for company: a lane takes what is already queued and goes. Batches form by
 * themselves while earlier ones are committing, so a lone caller sees no added latency.
 *
 * <p>One attempt per reference at a time: an operation whose reference is already queued or committing
 * (a client's retry after its first attempt timed out) does not run on its own; it follows the earlier
 * attempt and answers with its outcome (a replay of what it applied or of the refusal it met, or a conflict
 * when the two requests differ). Run on its own it would only wait for the first attempt's claim on the
 * reference in the database (see {@link References}), holding a connection; following answers the same without
 * one. Followers wait within the same bound; an earlier attempt that failed outright (nothing applied, or in
 * doubt) lets the follower run itself.
 *
 * <p>No operation waits long for a lane either: one not taken within {@link #LANE_WAIT_MILLIS_MAX} is run by
 * its caller, alone, on a connection of its own. That happens when every lane is held up, as when the network
 * to the database lost what was in flight: each lane then waits out its deadline on a connection that will
 * never answer, and without this the ledger would answer nothing new until they gave up, well after the network
 * healed.
 *
 * <p>Bounds: the queue holds {@code queueMax} operations (a full queue answers {@code BUSY} at once);
 * a caller waits at most {@code waitMillisMax} for its answer ({@code STORAGE_UNAVAILABLE} then — its
 * operation may still commit, so it must be retried with the same reference, which replays it).
 */
final class Coalescer implements AutoCloseable {
    /** A queued operation; {@code taken} is set by whoever runs it: a lane, or its caller past the lane wait. */
    private record Pending(Operation operation, String actor, CompletableFuture<Outcome> answer, AtomicBoolean taken) {
        Pending(Operation operation, String actor) {
            this(operation, actor, new CompletableFuture<>(), new AtomicBoolean());
        }
    }

    /**
     * How long a queued operation waits for a lane to take it. Past it (every lane is held up: by a database
     * that stopped answering mid-exchange, say, each lane waiting out its deadline) the caller runs it itself,
     * on a connection of its own. Lanes commit a group in milliseconds, so a healthy ledger never gets here.
     */
    static final long LANE_WAIT_MILLIS_MAX = 1_000;

    private static final long POLL_MILLIS = 100;
    /** How many failed earlier attempts a follower waits out before giving up (each within the wait bound). */
    private static final int FOLLOW_ROUNDS_MAX = 3;

    private final WriteEngine engine;
    private final int batchSizeMax;
    private final long waitMillisMax;
    private final BlockingQueue<Pending> queue;
    /** The attempt queued or committing per reference; an entry leaves when its answer is known. */
    private final ConcurrentHashMap<String, Pending> inFlight = new ConcurrentHashMap<>();

    private final List<Thread> lanes = new ArrayList<>();
    private final LongAdder batches = new LongAdder();
    private final LongAdder operations = new LongAdder();
    private final LongAdder bypassed = new LongAdder();

    private volatile boolean closed;

    public Coalescer(WriteEngine engine, int lanes, int batchSizeMax, int queueMax, long waitMillisMax) {
        this.engine = engine;
        this.batchSizeMax = batchSizeMax;
        this.waitMillisMax = waitMillisMax;
        this.queue = new ArrayBlockingQueue<>(queueMax);
        for (int i = 0; i < lanes; i++) {
            Thread lane = new Thread(this::run, "wallet-ledger-lane-" + i);
            lane.setDaemon(true);
            lane.start();
            this.lanes.add(lane);
        }
    }

    /** Applies one operation in some coalesced batch and returns its outcome; {@code actor} may be null. */
    public Outcome apply(Operation operation, String actor) {
        if (closed) {
            throw WalletException.of(ErrorCode.STORAGE_UNAVAILABLE, "the ledger is closed", Map.of());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillisMax);
        Pending pending = new Pending(operation, actor);
        for (int round = 1; ; round++) {
            Pending earlier = inFlight.putIfAbsent(operation.referenceId(), pending);
            if (earlier == null) {
                break;
            }
            Optional<Outcome> followed = follow(earlier, operation, deadline);
            if (followed.isPresent()) {
                return followed.get();
            }
            inFlight.remove(operation.referenceId(), earlier); // done: its own listener may not have run yet
            if (round == FOLLOW_ROUNDS_MAX) { // earlier attempts keep failing outright: the database is
                throw WalletException.of(
                        ErrorCode.STORAGE_UNAVAILABLE,
                        "earlier attempts with this " + "reference_id failed; try again",
                        Map.of("reference_id", operation.referenceId()));
            }
        }
        pending.answer.whenComplete((outcome, failure) -> inFlight.remove(operation.referenceId(), pending));
        if (!queue.offer(pending)) {
            pending.answer.completeExceptionally(WalletException.of(ErrorCode.BUSY, "not queued", Map.of()));
            throw WalletException.of(
                    ErrorCode.BUSY,
                    "the ledger's queue is full (" + queueCapacity() + " operations waiting); try again",
                    Map.of("queue_max", queueCapacity()));
        }
        return awaitLane(pending, deadline);
    }

    /** The answer of a queued operation; runs it on this thread if no lane took it within the lane wait. */
    private Outcome awaitLane(Pending pending, long deadline) {
        try {
            return pending.answer.get(LANE_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS);
        } catch (TimeoutException notYet) {
            if (!pending.taken.compareAndSet(false, true)) {
                return await(pending.answer, deadline); // a lane has it
            }
            queue.remove(pending);
            bypassed.increment();
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                Outcome outcome = engine.execute(
                                List.of(pending.operation),
                                java.util.Collections.singletonList(pending.actor),
                                false,
                                Math.max(1, left))
                        .get(0);
                pending.answer.complete(outcome); // for followers of the same reference
                return outcome;
            } catch (RuntimeException failure) {
                pending.answer.completeExceptionally(failure);
                throw failure;
            }
        } catch (ExecutionException e) {
            return await(pending.answer, deadline); // tells the failure as await does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return await(pending.answer, deadline);
        }
    }

    /**
     * The outcome of {@code operation} given the earlier attempt under its reference; empty when that
     * attempt failed outright and this one must run itself.
     */
    private Optional<Outcome> follow(Pending earlier, Operation operation, long deadline) {
        Outcome outcome;
        try {
            outcome = await(earlier.answer, deadline);
        } catch (WalletException failed) {
            if (failed.code() == ErrorCode.STORAGE_UNAVAILABLE && !earlier.answer.isDone()) {
                throw failed; // still in flight after the whole wait: the caller retries later
            }
            return Optional.empty();
        }
        List<String> differences = Idempotency.differences(earlier.operation, operation);
        if (outcome instanceof Outcome.Applied applied) {
            return Optional.of(
                    differences.isEmpty()
                            ? new Outcome.Applied(applied.result().asReplay())
                            : new Outcome.Refused(Idempotency.conflict(operation.referenceId(), differences)));
        }
        // Refused: the same request gets the same answer (a replay of the refusal the reference is now bound to,
        // or the same conflict); a different one was not judged: it runs itself, and meets what is bound.
        if (!differences.isEmpty()) {
            return Optional.empty();
        }
        WalletException refusal = ((Outcome.Refused) outcome).error();
        return Optional.of(refusal.code().binds() ? new Outcome.Refused(refusal.asReplay()) : outcome);
    }

    private Outcome await(CompletableFuture<Outcome> answer, long deadline) {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WalletException wallet) {
                throw wallet;
            }
            throw WalletException.of(
                    ErrorCode.INTERNAL_ERROR, "the ledger failed unexpectedly", Map.of(), e.getCause());
        } catch (TimeoutException e) {
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE,
                    "no answer from the database within " + waitMillisMax
                            + " ms; the operation may still apply: retry it with the same reference_id",
                    Map.of("wait_millis_max", waitMillisMax),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE, "interrupted while waiting for the commit", Map.of(), e);
        }
    }

    public long batches() {
        return batches.sum();
    }

    public long operations() {
        return operations.sum();
    }

    /** Operations their callers ran themselves, no lane having taken them within the lane wait. */
    public long bypassed() {
        return bypassed.sum();
    }

    public int queued() {
        return queue.size();
    }

    private int queueCapacity() {
        return queue.size() + queue.remainingCapacity();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batchSizeMax);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSizeMax - 1);
                batch.removeIf(pending -> !pending.taken.compareAndSet(false, true)); // its caller runs it
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<Operation> ops = new ArrayList<>(batch.size());
        List<String> actors = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            ops.add(pending.operation);
            actors.add(pending.actor);
        }
        try {
            List<Outcome> outcomes = engine.execute(ops, actors, false);
            batches.increment();
            operations.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer.complete(outcomes.get(i));
            }
        } catch (WalletException busy) {
            if (busy.code() != ErrorCode.BUSY || batch.size() == 1) {
                fail(batch, busy);
                return;
            }
            // Every attempt of the group met a conflict: at SERIALIZABLE, a large group's many predicate locks
            // make it collide with some other writer on every attempt, though each operation alone would not.
            // Nothing was applied: each operation gets attempts of its own, one after the other.
            for (Pending pending : batch) {
                try {
                    pending.answer.complete(engine.execute(
                                    List.of(pending.operation),
                                    java.util.Collections.singletonList(pending.actor),
                                    false)
                            .get(0));
                    batches.increment();
                    operations.increment();
                } catch (RuntimeException failure) {
                    pending.answer.completeExceptionally(failure);
                }
            }
        } catch (RuntimeException | Error failure) {
            fail(batch, failure);
        }
    }

    /** The whole transaction failed (retries exhausted, database gone, a bug): nothing was applied. */
    private static void fail(List<Pending> batch, Throwable failure) {
        for (Pending pending : batch) {
            pending.answer.completeExceptionally(failure);
        }
        if (failure instanceof Error error) {
            throw error;
        }
    }

    /** Stops taking new operations, lets the lanes finish what is queued, waits for them (bounded). */
    @Override
    public void close() {
        closed = true;
        for (Thread lane : lanes) {
            try {
                lane.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.answer.completeExceptionally(WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE, "the ledger closed before this operation ran", Map.of()));
        }
    }
}
