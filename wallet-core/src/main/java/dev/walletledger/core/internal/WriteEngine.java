package dev.walletledger.core.internal;

import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Hold;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Applies a list of operations in one database transaction, each with its own outcome. Round trips per call,
 * whatever the number of operations: one for the transaction's settings, the claim of their references
 * ({@link References}) and, when every wallet they need follows from the operations themselves, the creation and
 * locking of those wallets ({@link Locks}); one more to look up what references not claimed are bound to, when
 * some are; one for the creation and the locks when they could not go first (reversals, chargebacks, captures and
 * voids read what they name before: one read of what they take back before the locks and one of what was
 * already taken back under them); one write; the commit.
 *
 * <p>Every outcome this write decides is bound to its operation's reference in the same transaction: the
 * transactions it applies and the refusals it meets ({@link ErrorCode#binds()}). An operation whose reference is
 * bound already is told that outcome again (a replay), or a conflict when its request differs. An atomic batch
 * refused at one operation binds that refusal alone, in a transaction of its own, after rolling back the rest.
 */
final class WriteEngine {
    /** One posting as written: the transaction it belongs to, with its place among the others. */
    private record Posting(UUID transactionId, Entry entry, byte[] link) {}

    private static final Columns<Plan.LockedWallet> WALLETS = Columns.of(
            Columns.column("id", "int8", w -> w.id),
            Columns.column("balance", "int8", w -> w.balance),
            Columns.column("head", "text", w -> Chain.hex(w.head)),
            Columns.column("posted", "bool", w -> w.touched),
            Columns.column("spent_on", "text", w -> w.spentOn == null ? null : w.spentOn.toString()),
            Columns.column("spent", "int8", w -> w.spent));
    /** One event per transaction, in the order they are applied: the statement draws their ids under the locks. */
    private static final Columns<Plan.Planned> EVENTS = Columns.of(
            Columns.column("transaction_id", "uuid", Plan.Planned::transactionId),
            Columns.column(
                    "type",
                    "text",
                    p -> dev.walletledger.core.Event.typeOf(p.operation().type())));

    private static final Columns<Plan.Planned> TRANSACTIONS = Columns.of(
            Columns.column("id", "uuid", Plan.Planned::transactionId),
            Columns.column("type", "text", p -> p.operation().type().name()),
            Columns.column("reference_id", "text", p -> p.operation().referenceId()),
            Columns.column("asset_id", "int4", p -> p.asset().id()),
            Columns.column("amount", "int8", Plan.Planned::amount),
            Columns.column("reverses", "uuid", Plan.Planned::reverses),
            Columns.column(
                    "request", "text", p -> Metadata.of(p.operation().fields()).json()),
            Columns.column("metadata", "text", p -> p.operation().metadata().json()),
            Columns.column("fingerprint", "text", Plan.Planned::fingerprintHex),
            Columns.column("actor", "text", Plan.Planned::actor),
            Columns.column("hold_id", "uuid", Plan.Planned::holdId),
            Columns.column("hold_remaining", "int8", Plan.Planned::holdRemaining));
    private static final Columns<Plan.HoldState> HOLDS = Columns.of(
            Columns.column("id", "uuid", h -> h.id),
            Columns.column("reference_id", "text", h -> h.referenceId),
            Columns.column("owner_id", "text", h -> h.holder.owner()),
            Columns.column("asset_id", "int4", h -> h.holder.assetId()),
            Columns.column("amount", "int8", h -> h.amount),
            Columns.column("captured", "int8", h -> h.captured),
            Columns.column("released", "int8", h -> h.released),
            Columns.column("status", "text", h -> h.status.name()),
            Columns.column("expires_at", "text", h -> h.expiresAt.toString()),
            Columns.column("closed_at", "text", h -> h.closedAt == null ? null : h.closedAt.toString()));
    /** The most expired holds of one wallet a write releases on its way (the sweep gets the rest). */
    static final int EXPIRIES_PER_WALLET_MAX = 16;

    private static final Columns<Plan.Holder> HOLDERS = Columns.of(
            Columns.column("owner_id", "text", Plan.Holder::owner),
            Columns.column("asset_id", "int4", Plan.Holder::assetId));
    private static final Columns<Posting> ENTRIES = Columns.of(
            Columns.column("transaction_id", "uuid", Posting::transactionId),
            Columns.column("wallet_id", "int8", p -> p.entry().walletId()),
            Columns.column("direction", "text", p -> p.entry().direction().name()),
            Columns.column("amount", "int8", p -> p.entry().amount()),
            Columns.column(
                    "balance_after",
                    "int8",
                    p -> p.entry().balanceAfter().isPresent()
                            ? p.entry().balanceAfter().getAsLong()
                            : null),
            Columns.column("link", "text", p -> p.link() == null ? null : Chain.hex(p.link())));

    private final TransactionRunner runner;
    private final AssetDirectory assets;
    private final TransactionReader reader;
    private final Counters counters;
    private final Accounts accounts;
    private final Locks locks;
    private final References references;
    private final String write;
    private final String taken;
    private final String holdsBefore;
    private final String holdsLocked;
    private final String claimExpiries;
    private final String due;
    private final String dueLots;
    private final String takeSplits;
    private final String mainHistory;

    WriteEngine(
            SqlText sql,
            TransactionRunner runner,
            AssetDirectory assets,
            TransactionReader reader,
            Counters counters,
            Accounts accounts) {
        this.runner = runner;
        this.assets = assets;
        this.reader = reader;
        this.counters = counters;
        this.accounts = accounts;
        this.locks = new Locks(sql);
        this.references = new References(sql, reader);
        // The UPDATE is driven by the new values: each wallet row is found by a primary-key probe in a LATERAL
        // subquery the planner cannot flatten (OFFSET 0), then updated through its row address (ctid), which only
        // a parameterized TID probe can match. Joining on the id instead would let the planner start from a whole
        // walk of the primary key when its estimates say the table is tiny. (The rows cannot move meanwhile: this
        // transaction holds their locks.) The inserts read nothing but the foreign key's primary-key probe and
        // their unique indexes. created_at is the plan's, which the chain hashes, so what is stored is what was
        // hashed; it is the one parameter bound by position, first.
        // The refusals decided by this write are bound in the same statement, dated by the same clock (or, when no
        // wallet was locked, the transaction's start). Every insert here is checked by V3's trigger: under a
        // reference this transaction claimed, with no other outcome.
        this.write = sql.format("""
                WITH stamp AS (SELECT COALESCE(?::timestamptz, now()) AS created_at), balances AS (
                    UPDATE {schema}.wallets w
                       SET balance = v.balance, chain_head = decode(v.head, 'hex'),
                           last_entry_at = CASE WHEN v.posted THEN (SELECT created_at FROM stamp) ELSE w.last_entry_at END,
                           spent_on = v.spent_on::date, spent = v.spent
                      FROM (SELECT r.row_id, u.*
                              FROM %1$s
                             CROSS JOIN LATERAL (SELECT o.ctid AS row_id FROM {schema}.wallets o
                                                  WHERE o.id = u.id OFFSET 0) r) v
                     WHERE w.ctid = v.row_id
                    RETURNING 1
                ), transactions AS (
                    INSERT INTO {schema}.ledger_transactions (%2$s, created_at)
                    SELECT v.id, v.type, v.reference_id, v.asset_id, v.amount, v.reverses, v.request::jsonb,
                           v.metadata::jsonb, decode(v.fingerprint, 'hex'), v.actor, v.hold_id, v.hold_remaining,
                           (SELECT created_at FROM stamp)
                      FROM %3$s
                    RETURNING 1
                ), events AS (
                    INSERT INTO {schema}.ledger_events (transaction_id, type, created_at)
                    SELECT v.transaction_id, v.type, (SELECT created_at FROM stamp)
                      FROM %11$s
                    RETURNING 1
                ), entries AS (
                    INSERT INTO {schema}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after,
                                chain_hash)
                    SELECT v.transaction_id, v.wallet_id, v.direction, v.amount, v.balance_after, decode(v.link, 'hex')
                      FROM %4$s
                ), refusals AS (
                    INSERT INTO {schema}.ledger_refusals (%5$s, created_at)
                    SELECT %6$s, (SELECT created_at FROM stamp)
                      FROM %7$s
                    RETURNING 1
                ), new_holds AS (
                    INSERT INTO {schema}.ledger_holds (%8$s, created_at)
                    SELECT v.id, v.reference_id, v.owner_id, v.asset_id, v.amount, v.captured, v.released, v.status,
                           v.expires_at::timestamptz, v.closed_at::timestamptz, (SELECT created_at FROM stamp)
                      FROM %9$s
                    RETURNING 1
                ), moved_holds AS (
                    UPDATE {schema}.ledger_holds h
                       SET captured = v.captured, released = v.released, status = v.status,
                           closed_at = v.closed_at::timestamptz
                      FROM (SELECT r.row_id, u.*
                              FROM %10$s
                             CROSS JOIN LATERAL (SELECT o.ctid AS row_id FROM {schema}.ledger_holds o
                                                  WHERE o.id = u.id OFFSET 0) r) v
                     WHERE h.ctid = v.row_id
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM balances) AS wallets,
                       (SELECT count(*) FROM refusals) AS refusals, (SELECT count(*) FROM new_holds) AS new_holds,
                       (SELECT count(*) FROM moved_holds) AS moved_holds, (SELECT count(*) FROM events) AS events
                """.formatted(
                        WALLETS.unnest("u"),
                        TRANSACTIONS.names(),
                        TRANSACTIONS.unnest("v"),
                        ENTRIES.unnest("v"),
                        References.REFUSALS.names(),
                        References.REFUSAL_VALUES,
                        References.REFUSALS.unnest("v"),
                        HOLDS.names(),
                        HOLDS.unnest("v"),
                        HOLDS.unnest("u"),
                        EVENTS.unnest("v")));
        // How much of each original was already taken back, read under the locks of its wallets (so every
        // earlier reversal of it has committed): ledger_transactions_reverses_idx, one probe per original.
        this.taken = sql.format("""
                SELECT o.id, (SELECT COALESCE(sum(r.amount), 0) FROM {schema}.ledger_transactions r
                               WHERE r.reverses = o.id) AS taken
                  FROM unnest(?::uuid[]) AS o(id)
                """);
        // The wallet and asset of each hold named, before the locks (the primary key; they never change).
        this.holdsBefore = sql.format("""
                SELECT h.id, h.owner_id, a.code AS asset_code
                  FROM {schema}.ledger_holds h
                 CROSS JOIN LATERAL (SELECT a.code FROM {schema}.asset_types a WHERE a.id = h.asset_id OFFSET 0) a
                 WHERE h.id = ANY (?)
                """);
        // Under the wallets' locks: the holds named, and the expired open holds (soonest first, a bounded number
        // per wallet, on ledger_holds_open_idx) of the locked wallets that hold something. Locked too, so that at
        // REPEATABLE READ and SERIALIZABLE a hold moved since this transaction's snapshot fails it (40001).
        this.holdsLocked = sql.format("""
                SELECT h.id, h.reference_id, h.owner_id, h.asset_id, h.amount, h.captured, h.released, h.status,
                       h.expires_at, h.created_at, h.closed_at,
                       ARRAY(SELECT w.account || ' ' || e.amount
                               FROM {schema}.ledger_entries e
                              CROSS JOIN LATERAL (SELECT w.account, w.kind FROM {schema}.wallets w
                                                   WHERE w.id = e.wallet_id OFFSET 0) w
                              WHERE e.transaction_id = h.id AND e.direction = 'DEBIT' AND w.kind = 'USER'
                              ORDER BY e.id) AS portions
                  FROM {schema}.ledger_holds h
                 WHERE h.id = ANY (ARRAY(
                           SELECT n.id FROM unnest(?::uuid[]) AS n(id)
                           UNION
                           SELECT x.id
                             FROM %s
                            CROSS JOIN LATERAL (SELECT o.id FROM {schema}.ledger_holds o
                                                 WHERE o.owner_id = k.owner_id AND o.asset_id = k.asset_id
                                                   AND o.status = 'OPEN' AND o.expires_at <= ?::timestamptz
                                                 ORDER BY o.expires_at LIMIT %d) x))
                   FOR UPDATE OF h
                """.formatted(HOLDERS.unnest("k"), EXPIRIES_PER_WALLET_MAX));
        // The expiries' reserved references, claimed under their wallets' locks: no other attempt can hold one.
        this.claimExpiries = sql.format("""
                INSERT INTO {schema}.ledger_references (reference_id)
                SELECT r.reference_id FROM unnest(?::text[]) AS r(reference_id) ORDER BY r.reference_id COLLATE "C"
                    ON CONFLICT (reference_id) DO NOTHING
                RETURNING reference_id
                """);
        // The sweep: the wallets of the open holds whose expiry passed, soonest first (ledger_holds_expiry_idx).
        this.due = sql.format("""
                SELECT DISTINCT d.owner_id, d.asset_id
                  FROM (SELECT h.owner_id, h.asset_id FROM {schema}.ledger_holds h
                         WHERE h.status = 'OPEN' AND h.expires_at <= now()
                         ORDER BY h.expires_at LIMIT ?) d
                """);
        // The lots' sweep: lots by expiry from where the last sweep ended, up to now (wallets_lot_expiry_idx).
        // The upgrade to lots: wallets from before lots to split, each taken by one upgrader (SKIP LOCKED) and
        // removed in the transaction that posts its split.
        this.takeSplits = sql.format("""
                DELETE FROM {schema}.ledger_lot_splits s
                 WHERE (s.owner_id, s.asset_id) IN (
                       SELECT p.owner_id, p.asset_id FROM {schema}.ledger_lot_splits p
                        ORDER BY p.owner_id COLLATE "C", p.asset_id
                        LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING s.owner_id, s.asset_id
                """);
        // A wallet's main account's entries in entry order, with what each transaction and its original were.
        this.mainHistory = sql.format("""
                SELECT t.id, t.type, e.direction, e.amount, t.reverses, o.type AS original_type
                  FROM {schema}.wallets w
                  JOIN {schema}.ledger_entries e ON e.wallet_id = w.id
                  JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                  LEFT JOIN {schema}.ledger_transactions o ON o.id = t.reverses
                 WHERE w.kind = 'USER' AND w.owner_id = ? AND w.asset_id = ? AND w.account = 'main'
                 ORDER BY e.id
                """);
        this.dueLots = sql.format("""
                SELECT w.id, w.owner_id, w.asset_id, w.balance, {schema}.lot_expiry(w.account) AS expiry
                  FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.account ~ '^(paid|free)_'
                   AND {schema}.lot_expiry(w.account) <= now()
                   AND ({schema}.lot_expiry(w.account), w.id) > (?::timestamptz, ?)
                 ORDER BY {schema}.lot_expiry(w.account), w.id
                 LIMIT ?
                """);
    }

    /**
     * An atomic batch's operation was refused: its transaction is rolled back, and the refusal then bound to that
     * operation's reference alone (the batch's other references stay free: nothing was applied under them).
     */
    private static final class AtomicRefusal extends TransactionRunner.Decided {
        private static final long serialVersionUID = 1L;
        final int index;
        final transient References.Refusal refusal;

        AtomicRefusal(int index, References.Refusal refusal) {
            super("operation " + index + " refused");
            this.index = index;
            this.refusal = refusal;
        }
    }

    /**
     * The wallets locked ahead of the claim were created for an operation whose reference turned out to be bound
     * already (a replay, or a reuse with another request): such an operation must create nothing, so the
     * transaction is rolled back and the write runs again, its locks taken after the claim.
     */
    private static final class CreatedAheadForBound extends TransactionRunner.Decided {
        private static final long serialVersionUID = 1L;

        CreatedAheadForBound() {
            super("a wallet was created ahead for a bound reference");
        }
    }

    /**
     * Applies the operations. Atomic: the first refusal is thrown (details name its {@code index}) and
     * nothing is written but that refusal's binding to its reference. Independent: every operation gets its
     * outcome. {@code actors} (same size, null entries allowed) says who asked for each; it is recorded and
     * chained, not compared on replay.
     */
    List<Outcome> execute(List<Operation> operations, List<String> actors, boolean atomic) {
        return execute(operations, actors, atomic, runner.waitMillisMax());
    }

    /** As {@link #execute(List, List, boolean)}, answering within {@code deadlineMillis}. */
    List<Outcome> execute(List<Operation> operations, List<String> actors, boolean atomic, long deadlineMillis) {
        if (actors.size() != operations.size()) {
            throw new IllegalArgumentException("one actor per operation");
        }
        List<Outcome> outcomes = null;
        boolean[] ahead = {true};
        for (int round = 1; outcomes == null; round++) {
            try {
                outcomes = runner.writeOpening(
                        (c, opening) -> attempt(c, opening, operations, actors, atomic, ahead[0]),
                        operations.size(),
                        deadlineMillis);
            } catch (CreatedAheadForBound undone) {
                ahead[0] = false; // once: without locking ahead, nothing is created before the claim is known
                round--;
            } catch (AtomicRefusal refused) {
                boolean bound = runner.write(c -> bindAlone(c, refused.refusal), 1);
                if (bound) {
                    counters.refused.increment();
                    throw atomicError(refused.refusal.error(), refused.index);
                }
                // Another attempt bound that reference between this one's rollback and its binding: the batch
                // runs again and now finds it bound. Each round binds one more of its references, or ends.
                if (round >= operations.size() + 1) {
                    throw WalletException.of(
                            ErrorCode.BUSY,
                            "the batch's references kept being bound by other attempts; try again",
                            Map.of("attempts", round));
                }
            }
        }
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Outcome.Applied applied) {
                (applied.result().replayed() ? counters.replayed : counters.applied).increment();
            } else {
                counters.refused.increment();
            }
        }
        return outcomes;
    }

    /**
     * One attempt at a write. Its first round trip is the transaction's {@code opening}, the claim of its references
     * and, when every wallet it needs is known before the claim (see {@link #lockAhead}), the creation and locking
     * of those wallets; otherwise the locks follow once the claim and the reads before them are done.
     */
    private List<Outcome> attempt(
            Connection connection,
            String opening,
            List<Operation> operations,
            List<String> actors,
            boolean atomic,
            boolean mayLockAhead)
            throws SQLException {
        Outcome[] outcomes = new Outcome[operations.size()];
        Map<String, Integer> firstByReference = new LinkedHashMap<>();
        for (int i = 0; i < operations.size(); i++) {
            firstByReference.putIfAbsent(operations.get(i).referenceId(), i);
        }
        Locks.Request ahead = mayLockAhead ? lockAhead(operations, firstByReference.values()) : null;
        References.Claimed claimedNow = references.claim(connection, firstByReference.keySet(), opening, ahead);
        References.Claim claim = claimedNow.claim();
        Locks.Locked lockedAhead = claimedNow.locked();
        if (ahead != null && ahead.createsMains() && !claim.bound().isEmpty()) {
            throw new CreatedAheadForBound(); // rare: a retried or reused reference among new users' credits
        }
        for (Map.Entry<String, Integer> first : firstByReference.entrySet()) { // in index order
            References.Bound bound = claim.bound().get(first.getKey());
            if (bound != null) {
                outcomes[first.getValue()] = told(bound, operations.get(first.getValue()), first.getValue(), atomic);
            }
        }
        List<Integer> claimed = new ArrayList<>();
        for (String reference : claim.claimed()) {
            claimed.add(firstByReference.get(reference));
        }
        claimed.sort(null);
        Map<UUID, TransactionResult> originals = reader.byIds(connection, takenBack(operations, claimed));
        Map<UUID, HeldBy> holds = holdsBefore(connection, heldBy(operations, claimed));
        AssetDirectory.AssetRow[] rows = new AssetDirectory.AssetRow[operations.size()];
        List<References.Refusal> refusals = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        for (int i : claimed) {
            Optional<AssetDirectory.AssetRow> row = asset(connection, operations.get(i), originals, holds);
            if (row.isEmpty()) {
                outcomes[i] = refuse(
                        notFound(operations.get(i), originals, holds),
                        i,
                        operations.get(i),
                        actors.get(i),
                        atomic,
                        refusals);
            } else {
                rows[i] = row.get();
                pending.add(i);
            }
        }
        Plan plan = null;
        if (!pending.isEmpty()) {
            plan = lock(connection, operations, rows, originals, holds, pending, List.of(), ahead, lockedAhead);
            for (int i : pending) {
                WalletException refusal = plan.add(i, operations.get(i), rows[i], actors.get(i));
                if (refusal != null) {
                    outcomes[i] = refuse(refusal, i, operations.get(i), actors.get(i), atomic, refusals);
                }
            }
        }
        boolean applies = plan != null && !plan.planned().isEmpty();
        if (applies || !refusals.isEmpty()) {
            write(connection, plan, refusals);
        }
        if (applies) {
            for (Plan.Planned p : plan.planned()) {
                if (p.index() < 0) {
                    continue; // an expiry the write posted on its way
                }
                outcomes[p.index()] = new Outcome.Applied(new TransactionResult(
                        p.transactionId(),
                        p.operation(),
                        p.asset().asset().code(),
                        p.amount(),
                        p.reverses(),
                        plan.createdAt(),
                        p.actor(),
                        p.entries(),
                        p.balances(),
                        p.remainingOfHold(),
                        List.of(),
                        false));
            }
        }
        settleRepeatedReferences(operations, outcomes, firstByReference);
        return Arrays.asList(outcomes);
    }

    /**
     * The wallets to create and lock in the claim's round trip: those every operation would touch if its reference
     * were new. Only when each one's wallets follow from the operation alone (no transaction or hold to read first)
     * and its asset is known without a query; else null, and the locks are taken after the claim. Locking more than
     * the claimed operations need costs nothing but the locks: a write updates only the wallets it plans to touch,
     * and the lock order is the same.
     */
    private Locks.Request lockAhead(List<Operation> operations, Collection<Integer> firsts) {
        Set<Plan.Holder> holders = new LinkedHashSet<>();
        Set<Plan.WalletKey> credited = new LinkedHashSet<>();
        for (int i : firsts) {
            Operation operation = operations.get(i);
            if (operation.original().isPresent() || operation.heldBy().isPresent()) {
                return null;
            }
            Optional<AssetDirectory.AssetRow> row = operation.namedAssetCode().flatMap(assets::cached);
            if (row.isEmpty()) {
                return null;
            }
            for (Plan.Touch touch : Plan.touches(operation, row.get(), null, null, accounts)) {
                holders.add(touch.holder());
                if (touch.credited()) {
                    credited.add(touch.key());
                }
            }
        }
        return holders.isEmpty() ? null : locks.request(holders, credited);
    }

    /** Binds an atomic batch's refusal to its reference, in a transaction of its own; false if bound meanwhile. */
    private boolean bindAlone(Connection connection, References.Refusal refusal) throws SQLException {
        References.Claim claim =
                references.claim(connection, List.of(refusal.operation().referenceId()));
        if (claim.claimed().isEmpty()) {
            return false;
        }
        write(connection, null, List.of(refusal));
        return true;
    }

    /**
     * What an operation is told when its reference is bound already: the same request gets the bound outcome
     * again, as a replay; another request a conflict naming what differs.
     */
    private static Outcome told(References.Bound bound, Operation operation, int index, boolean atomic) {
        Operation recorded = bound instanceof References.AppliedTo applied
                ? applied.result().operation()
                : ((References.RefusedWith) bound).request();
        List<String> differences = Idempotency.differences(recorded, operation);
        if (!differences.isEmpty()) {
            return told(Idempotency.conflict(operation.referenceId(), differences), index, atomic);
        }
        return bound instanceof References.AppliedTo applied
                ? new Outcome.Applied(applied.result().asReplay())
                : told(((References.RefusedWith) bound).refusal(), index, atomic);
    }

    /** A refusal decided elsewhere (bound before, or a conflict with what is bound): told, binding nothing. */
    private static Outcome told(WalletException refusal, int index, boolean atomic) {
        if (atomic) {
            throw atomicError(refusal, index);
        }
        return new Outcome.Refused(refusal);
    }

    /**
     * A refusal decided by this attempt: bound to the operation's reference. Independent: it joins this
     * transaction's refusals. Atomic: the attempt ends here, and the refusal is bound on its own.
     */
    private static Outcome refuse(
            WalletException refusal,
            int index,
            Operation operation,
            String actor,
            boolean atomic,
            List<References.Refusal> refusals) {
        Invariants.require(refusal.code().binds(), "an engine refusal binds its reference: " + refusal.code());
        References.Refusal binding = new References.Refusal(operation, actor, refusal);
        if (atomic) {
            throw new AtomicRefusal(index, binding);
        }
        refusals.add(binding);
        return new Outcome.Refused(refusal);
    }

    private static WalletException atomicError(WalletException refusal, int index) {
        Map<String, Object> details = new LinkedHashMap<>(refusal.details());
        details.put("index", index);
        String message = "operation " + index + ": " + refusal.getMessage();
        return refusal.replayed()
                ? WalletException.replay(refusal.code(), message, details)
                : WalletException.of(refusal.code(), message, details);
    }

    /** The asset an operation moves: the one it names, or its original's; empty when that is not found. */
    private Optional<AssetDirectory.AssetRow> asset(
            Connection connection, Operation operation, Map<UUID, TransactionResult> originals, Map<UUID, HeldBy> holds)
            throws SQLException {
        Optional<String> code = operation
                .namedAssetCode()
                .or(() -> operation.original().map(originals::get).map(TransactionResult::assetCode))
                .or(() -> operation.heldBy().map(holds::get).map(HeldBy::assetCode));
        return code.isEmpty() ? Optional.empty() : assets.find(connection, code.get());
    }

    private static WalletException notFound(
            Operation operation, Map<UUID, TransactionResult> originals, Map<UUID, HeldBy> holds) {
        Optional<UUID> original = operation.original();
        if (original.isPresent() && !originals.containsKey(original.get())) {
            return WalletException.of(
                    ErrorCode.TRANSACTION_NOT_FOUND,
                    "there is no transaction " + original.get(),
                    Map.of("transaction_id", original.get().toString()));
        }
        Optional<UUID> hold = operation.heldBy();
        if (hold.isPresent() && !holds.containsKey(hold.get())) {
            return WalletException.of(
                    ErrorCode.HOLD_NOT_FOUND,
                    "there is no hold " + hold.get(),
                    Map.of("hold_id", hold.get().toString()));
        }
        return AssetDirectory.notFound(operation.namedAssetCode().orElseThrow());
    }

    /** A hold's wallet, as read before the locks (it never changes). */
    private record HeldBy(String owner, String assetCode) {}

    private static Set<UUID> heldBy(List<Operation> operations, List<Integer> indexes) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (int i : indexes) {
            operations.get(i).heldBy().ifPresent(ids::add);
        }
        return ids;
    }

    /** The wallets of the holds named, by id; a hold not found is missing. */
    private Map<UUID, HeldBy> holdsBefore(Connection connection, Set<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<UUID, HeldBy> found = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(holdsBefore)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray(new UUID[0])));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.put(
                            rows.getObject("id", UUID.class),
                            new HeldBy(rows.getString("owner_id"), rows.getString("asset_code")));
                }
            }
        }
        return found;
    }

    private static Set<UUID> takenBack(List<Operation> operations, List<Integer> indexes) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (int i : indexes) {
            operations.get(i).original().ifPresent(ids::add);
        }
        return ids;
    }

    /** A reference used twice in one call: the later use replays the first if identical, else conflicts. */
    private static void settleRepeatedReferences(
            List<Operation> operations, Outcome[] outcomes, Map<String, Integer> firstByReference) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] != null) {
                continue;
            }
            Operation operation = operations.get(i);
            int first = firstByReference.get(operation.referenceId());
            List<String> differences = Idempotency.differences(operations.get(first), operation);
            if (!differences.isEmpty()) {
                outcomes[i] = new Outcome.Refused(Idempotency.conflict(operation.referenceId(), differences));
            } else if (outcomes[first] instanceof Outcome.Applied applied) {
                outcomes[i] = new Outcome.Applied(applied.result().asReplay());
            } else {
                Outcome.Refused refused = (Outcome.Refused) outcomes[first];
                outcomes[i] = new Outcome.Refused(
                        refused.error().code().binds() ? refused.error().asReplay() : refused.error());
            }
        }
    }

    /**
     * Locks every wallet the pending operations touch (creating the accounts they credit) and the wallets in
     * {@code alsoLocked}, reads how much of each original was already taken back and the holds moved, and returns
     * a plan over the locked accounts, dated once they are all locked, with the expiries of the locked wallets'
     * expired holds planned first.
     */
    private Plan lock(
            Connection connection,
            List<Operation> operations,
            AssetDirectory.AssetRow[] rows,
            Map<UUID, TransactionResult> originals,
            Map<UUID, HeldBy> heldBy,
            List<Integer> pending,
            List<Plan.Holder> alsoLocked,
            Locks.Request ahead,
            Locks.Locked lockedAhead)
            throws SQLException {
        Set<Plan.Holder> holders = new LinkedHashSet<>(alsoLocked);
        Set<Plan.WalletKey> credited = new LinkedHashSet<>();
        Map<UUID, Plan.Original> taken = new LinkedHashMap<>();
        Set<UUID> named = new LinkedHashSet<>();
        for (int i : pending) {
            Operation operation = operations.get(i);
            TransactionResult original =
                    operation.original().map(originals::get).orElse(null);
            if (original != null) {
                taken.computeIfAbsent(original.transactionId(), id -> new Plan.Original(original));
                // a capture's refund returns coins to the lots its hold took them from
                original.holdId()
                        .filter(id -> original.type() == dev.walletledger.core.OperationType.CAPTURE)
                        .ifPresent(named::add);
            }
            Plan.Holder holder = null;
            if (operation.heldBy().isPresent()) {
                named.add(operation.heldBy().get());
                holder = new Plan.Holder(heldBy.get(operation.heldBy().get()).owner(), rows[i].id());
            }
            for (Plan.Touch touch : Plan.touches(operation, rows[i], original, holder, accounts)) {
                holders.add(touch.holder());
                if (touch.credited()) {
                    credited.add(touch.key());
                }
            }
        }
        Locks.Locked locked = lockedAhead != null && ahead.covers(holders, credited)
                ? lockedAhead
                : locks.lock(connection, holders, credited);
        if (!taken.isEmpty()) {
            try (PreparedStatement statement = connection.prepareStatement(this.taken)) {
                statement.setArray(
                        1, connection.createArrayOf("uuid", taken.keySet().toArray(new UUID[0])));
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        taken.get(result.getObject("id", UUID.class)).taken = result.getLong("taken");
                    }
                }
            }
        }
        Map<UUID, Plan.HoldState> holds = holdsLocked(connection, named, locked);
        createReceivingLots(connection, operations, pending, rows, locked);
        Plan plan = new Plan(locked.wallets(), taken, holds, locked.clock(), accounts);
        postExpiries(connection, plan);
        return plan;
    }

    /**
     * A transfer credits the receiver's lots of the class and expiry of the coins it takes from the sender's: every
     * lot the receiver may be sent (any usable lot of a sender, through the transfers of this call in turn) that it
     * lacks is created here, under the locks, empty.
     */
    private void createReceivingLots(
            Connection connection,
            List<Operation> operations,
            List<Integer> pending,
            AssetDirectory.AssetRow[] rows,
            Locks.Locked locked)
            throws SQLException {
        Map<Plan.WalletKey, Plan.LockedWallet> wallets = locked.wallets();
        Map<Plan.Holder, Set<String>> lots = new LinkedHashMap<>();
        for (Plan.WalletKey key : wallets.keySet()) {
            if (Lots.isLot(key.account()) && !Lots.expiredAt(key.account(), locked.clock())) {
                lots.computeIfAbsent(new Plan.Holder(key.owner(), key.assetId()), h -> new LinkedHashSet<>())
                        .add(key.account());
            }
        }
        List<Operation.Transfer> transfers = new ArrayList<>();
        List<Integer> assetIds = new ArrayList<>();
        for (int i : pending) {
            if (operations.get(i) instanceof Operation.Transfer transfer) {
                transfers.add(transfer);
                assetIds.add(rows[i].id());
            }
        }
        if (transfers.isEmpty()) {
            return;
        }
        Set<Plan.WalletKey> missing = new LinkedHashSet<>();
        for (int round = 0; round <= transfers.size(); round++) { // a chain of n transfers settles in n rounds
            boolean grew = false;
            for (int k = 0; k < transfers.size(); k++) {
                Plan.Holder from = new Plan.Holder(transfers.get(k).fromUserId(), assetIds.get(k));
                Plan.Holder to = new Plan.Holder(transfers.get(k).toUserId(), assetIds.get(k));
                for (String account : List.copyOf(lots.getOrDefault(from, Set.of()))) {
                    if (lots.computeIfAbsent(to, h -> new LinkedHashSet<>()).add(account)) {
                        grew = true;
                        Plan.WalletKey key = new Plan.WalletKey(to.owner(), to.assetId(), account);
                        if (!wallets.containsKey(key)) {
                            missing.add(key);
                        }
                    }
                }
            }
            if (!grew) {
                break;
            }
        }
        // A receiver without a main account (a transfer to a user with no wallet) had it created before the locks.
        missing.removeIf(key -> !wallets.containsKey(new Plan.WalletKey(key.owner(), key.assetId(), Accounts.MAIN)));
        if (!missing.isEmpty()) {
            wallets.putAll(locks.createUnderLock(connection, missing));
        }
    }

    /**
     * The holds named and the expired open holds of the locked wallets that hold anything (a held account's balance
     * is what its open holds still hold), read under the locks.
     */
    private Map<UUID, Plan.HoldState> holdsLocked(Connection connection, Set<UUID> named, Locks.Locked locked)
            throws SQLException {
        List<Plan.Holder> holding = new ArrayList<>();
        for (Plan.LockedWallet wallet : locked.wallets().values()) {
            if (wallet.key.account().equals(Accounts.HELD) && wallet.balance > 0) {
                holding.add(new Plan.Holder(wallet.key.owner(), wallet.key.assetId()));
            }
        }
        Map<UUID, Plan.HoldState> holds = new LinkedHashMap<>();
        if (named.isEmpty() && holding.isEmpty()) {
            return holds;
        }
        try (PreparedStatement statement = connection.prepareStatement(holdsLocked)) {
            statement.setArray(1, connection.createArrayOf("uuid", named.toArray(new UUID[0])));
            int next = HOLDERS.bind(connection, statement, 2, holding);
            statement.setString(next, locked.clock().toString());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Plan.HoldState hold = new Plan.HoldState(
                            rows.getObject("id", UUID.class),
                            rows.getString("reference_id"),
                            new Plan.Holder(rows.getString("owner_id"), rows.getInt("asset_id")),
                            rows.getLong("amount"),
                            rows.getLong("captured"),
                            rows.getLong("released"),
                            Hold.Status.valueOf(rows.getString("status")),
                            instant(rows, "expires_at"),
                            instant(rows, "created_at"),
                            instant(rows, "closed_at"),
                            false,
                            portions(rows.getArray("portions")));
                    holds.put(hold.id, hold);
                }
            }
        }
        for (UUID id : named) {
            Invariants.require(holds.containsKey(id), "a hold found before the locks is found under them");
        }
        return holds;
    }

    /** A hold's portions as read: "account amount" per lot it took coins from, in order. */
    private static List<Plan.Portion> portions(java.sql.Array array) throws SQLException {
        List<Plan.Portion> portions = new ArrayList<>();
        for (Object value : (Object[]) array.getArray()) {
            String[] parts = ((String) value).split(" ");
            portions.add(new Plan.Portion(parts[0], Long.parseLong(parts[1])));
        }
        return portions;
    }

    private static Instant instant(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * Posts the expiry of every expired open hold the plan read, before anything else: each under its reserved
     * reference, claimed here, under the lock of its wallet. Every claim of such a reference is made under that
     * lock, and the hold is open (so no expiry of it was posted): the claim always succeeds, without a wait.
     */
    private void postExpiries(Connection connection, Plan plan) throws SQLException {
        List<Plan.HoldState> expired = plan.expired();
        List<Plan.LockedWallet> lots = plan.expiredLots();
        if (expired.isEmpty() && lots.isEmpty()) {
            return;
        }
        List<Operation> expiries = new ArrayList<>();
        List<AssetDirectory.AssetRow> rows = new ArrayList<>();
        for (Plan.HoldState hold : expired) {
            expiries.add(new Operation.Expiry(hold.id));
            rows.add(assets.byId(connection, hold.holder.assetId()));
        }
        for (Plan.LockedWallet lot : lots) {
            AssetDirectory.AssetRow row = assets.byId(connection, lot.key.assetId());
            expiries.add(
                    new Operation.LotExpiry(lot.id, lot.key.owner(), row.asset().code(), lot.key.account()));
            rows.add(row);
        }
        // A lot's reference is claimed once: only its one expiry, posted under this lock, ever claims it.
        claimReserved(connection, expiries);
        for (int k = 0; k < expiries.size(); k++) {
            Operation expiry = expiries.get(k);
            WalletException refused = plan.add(-1, expiry, rows.get(k), null);
            Invariants.require(refused == null, "an expiry releases what its hold or lot holds: " + refused);
        }
    }

    /**
     * Expires the lots past their expiry that still hold coins, of up to {@code limit} lots, soonest first, in one
     * transaction (with the expired holds of the same wallets): the lots' sweep. Each call goes on from where the
     * last one of this engine ended (an expired lot never gets coins again, so what was passed stays done).
     * Returns how many expiries it posted.
     */
    int expireLots(int limit) {
        // Pages that hold only lots already empty post nothing: go on past them, a bounded number of pages.
        for (int page = 0; page < SWEEP_PAGES_MAX; page++) {
            Sweep from = lotSweep;
            Sweep[] next = {null};
            int[] seen = {0};
            int posted = runner.write(
                    connection -> {
                        List<Plan.Holder> holders = new ArrayList<>();
                        next[0] = null;
                        seen[0] = 0;
                        try (PreparedStatement statement = connection.prepareStatement(dueLots)) {
                            statement.setObject(1, from.expiry().atOffset(ZoneOffset.UTC));
                            statement.setLong(2, from.walletId());
                            statement.setInt(3, limit);
                            try (ResultSet rows = statement.executeQuery()) {
                                while (rows.next()) {
                                    seen[0]++;
                                    next[0] = new Sweep(instant(rows, "expiry"), rows.getLong("id"));
                                    Plan.Holder holder =
                                            new Plan.Holder(rows.getString("owner_id"), rows.getInt("asset_id"));
                                    if (rows.getLong("balance") > 0 && !holders.contains(holder)) {
                                        holders.add(holder);
                                    }
                                }
                            }
                        }
                        return expire(connection, holders);
                    },
                    1);
            if (next[0] != null) {
                lotSweep = next[0]; // only past what committed
            }
            if (posted > 0 || seen[0] < limit) {
                return posted;
            }
        }
        return 0;
    }

    /**
     * The upgrade to lots: splits up to {@code limit} wallets from before lots (those V5 listed in {@code
     * ledger_lot_splits}) into paid and free, in one transaction. Under each wallet's lock it replays the history
     * of its {@code main} account ({@link LotReplay}) and posts the free part to its {@code free} lot as a
     * LOT_SPLIT under the reserved reference {@code wallet-ledger:lot-split:<main account id>}. Returns how many
     * wallets it took off the list (0: none is left).
     */
    int splitLots(int limit) {
        return runner.write(
                connection -> {
                    List<Plan.Holder> holders = new ArrayList<>();
                    try (PreparedStatement statement = connection.prepareStatement(takeSplits)) {
                        statement.setInt(1, limit);
                        try (ResultSet rows = statement.executeQuery()) {
                            while (rows.next()) {
                                holders.add(new Plan.Holder(rows.getString("owner_id"), rows.getInt("asset_id")));
                            }
                        }
                    }
                    if (holders.isEmpty()) {
                        return 0;
                    }
                    List<Plan.WalletKey> free = holders.stream()
                            .map(h -> new Plan.WalletKey(h.owner(), h.assetId(), Accounts.FREE))
                            .toList();
                    Locks.Locked locked = locks.lock(connection, holders, free);
                    Plan plan = new Plan(locked.wallets(), Map.of(), Map.of(), locked.clock(), accounts);
                    List<Operation> splits = new ArrayList<>();
                    List<AssetDirectory.AssetRow> rows = new ArrayList<>();
                    for (Plan.Holder holder : holders) {
                        Plan.LockedWallet main = locked.wallets().get(holder.main());
                        AssetDirectory.AssetRow row = assets.byId(connection, holder.assetId());
                        long part = main == null
                                ? 0
                                : LotReplay.freePart(
                                        history(connection, holder), row.asset().spendOrder());
                        if (part > 0) {
                            splits.add(new Operation.LotSplit(
                                    main.id, holder.owner(), row.asset().code(), part));
                            rows.add(row);
                        }
                    }
                    claimReserved(connection, splits);
                    for (int k = 0; k < splits.size(); k++) {
                        WalletException refused = plan.add(-1, splits.get(k), rows.get(k), null);
                        Invariants.require(refused == null, "a lot split moves what main holds: " + refused);
                    }
                    if (!plan.planned().isEmpty()) {
                        write(connection, plan, List.of());
                    }
                    return holders.size();
                },
                1);
    }

    /** The history of a wallet's main account, for {@link LotReplay}. */
    private List<LotReplay.Step> history(Connection connection, Plan.Holder holder) throws SQLException {
        List<LotReplay.Step> steps = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(mainHistory)) {
            statement.setString(1, holder.owner());
            statement.setInt(2, holder.assetId());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String original = rows.getString("original_type");
                    steps.add(new LotReplay.Step(
                            rows.getObject("id", UUID.class),
                            dev.walletledger.core.OperationType.valueOf(rows.getString("type")),
                            Direction.valueOf(rows.getString("direction")),
                            rows.getLong("amount"),
                            rows.getObject("reverses", UUID.class),
                            original == null ? null : dev.walletledger.core.OperationType.valueOf(original)));
                }
            }
        }
        return steps;
    }

    /** Claims the reserved references of the ledger's own operations, under the locks of their wallets. */
    private void claimReserved(Connection connection, List<Operation> operations) throws SQLException {
        if (operations.isEmpty()) {
            return;
        }
        Set<String> claimed = new LinkedHashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(claimExpiries)) {
            statement.setArray(
                    1,
                    connection.createArrayOf(
                            "text",
                            operations.stream().map(Operation::referenceId).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claimed.add(rows.getString(1));
                }
            }
        }
        for (Operation operation : operations) {
            Invariants.require(
                    claimed.contains(operation.referenceId()), "the ledger's own reserved reference is free");
        }
    }

    /** The most pages of empty expired lots one call of the lots' sweep passes. */
    static final int SWEEP_PAGES_MAX = 100;

    /** Where the lots' sweep goes on from: the expiry and wallet id of the last lot it passed. */
    private record Sweep(Instant expiry, long walletId) {}

    private volatile Sweep lotSweep = new Sweep(Instant.parse("1970-01-01T00:00:00Z"), 0);

    /**
     * Releases the expired open holds of the wallets of up to {@code limit} holds past their expiry, soonest
     * first, in one transaction: the sweep. Returns how many holds it expired.
     */
    int expireHolds(int limit) {
        return runner.write(
                connection -> {
                    List<Plan.Holder> holders = new ArrayList<>();
                    try (PreparedStatement statement = connection.prepareStatement(due)) {
                        statement.setInt(1, limit);
                        try (ResultSet rows = statement.executeQuery()) {
                            while (rows.next()) {
                                holders.add(new Plan.Holder(rows.getString("owner_id"), rows.getInt("asset_id")));
                            }
                        }
                    }
                    return expire(connection, holders);
                },
                1);
    }

    /** Releases the expired open holds of these wallets (a bounded number each), in one transaction. */
    int expireWallets(List<Plan.Holder> holders) {
        return runner.write(connection -> expire(connection, holders), 1);
    }

    private int expire(Connection connection, List<Plan.Holder> holders) throws SQLException {
        if (holders.isEmpty()) {
            return 0;
        }
        Plan plan = lock(
                connection,
                List.of(),
                new AssetDirectory.AssetRow[0],
                Map.of(),
                Map.of(),
                List.of(),
                holders,
                null,
                null);
        if (!plan.planned().isEmpty()) {
            write(connection, plan, List.of());
        }
        return plan.planned().size();
    }

    /**
     * One statement: new balances, chain heads and last entry times; transactions; entries; refusals. {@code plan}
     * is null when nothing was locked (every operation refused before its wallets were).
     */
    private void write(Connection connection, Plan plan, List<References.Refusal> refusals) throws SQLException {
        List<Plan.LockedWallet> wallets = plan == null ? List.of() : plan.touchedWallets();
        List<Plan.Planned> planned = plan == null ? List.of() : plan.planned();
        List<Posting> postings = new ArrayList<>();
        for (Plan.Planned p : planned) {
            for (int i = 0; i < p.entries().size(); i++) {
                postings.add(new Posting(
                        p.transactionId(), p.entries().get(i), p.links().get(i)));
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(write)) {
            statement.setObject(1, plan == null ? null : plan.createdAt().atOffset(ZoneOffset.UTC));
            int next = WALLETS.bind(connection, statement, 2, wallets);
            next = TRANSACTIONS.bind(connection, statement, next, planned);
            next = EVENTS.bind(connection, statement, next, planned);
            next = ENTRIES.bind(connection, statement, next, postings);
            next = References.REFUSALS.bind(connection, statement, next, refusals);
            List<Plan.HoldState> created = plan == null ? List.of() : plan.changedHolds(true);
            List<Plan.HoldState> moved = plan == null ? List.of() : plan.changedHolds(false);
            next = HOLDS.bind(connection, statement, next, created);
            HOLDS.bind(connection, statement, next, moved);
            try (ResultSet result = statement.executeQuery()) {
                Invariants.require(
                        result.next()
                                && result.getLong("transactions") == planned.size()
                                && result.getLong("wallets") == wallets.size()
                                && result.getLong("refusals") == refusals.size()
                                && result.getLong("new_holds") == created.size()
                                && result.getLong("moved_holds") == moved.size()
                                && result.getLong("events") == planned.size(),
                        "the write inserts the " + planned.size() + " transactions, " + refusals.size()
                                + " refusals and " + created.size() + " holds and updates the " + wallets.size()
                                + " wallets and " + moved.size() + " holds it is given");
            }
        }
    }
}
