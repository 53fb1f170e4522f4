package dev.walletledger.core.internal;

import dev.walletledger.core.Entry;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Applies a list of operations in one database transaction, each with its own outcome. Round trips per call,
 * whatever the number of operations: the claim of their references with the lookup of what the others are
 * bound to ({@link References}), the creation of wallets to be credited, the locks ({@link Locks}), one write
 * (and, when reversals or chargebacks are among them, one read of what they take back before the locks and one
 * of what was already taken back under them).
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
            Columns.column("head", "text", w -> Chain.hex(w.head)));
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
            Columns.column("actor", "text", Plan.Planned::actor));
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
                           last_entry_at = (SELECT created_at FROM stamp)
                      FROM (SELECT r.row_id, u.*
                              FROM %1$s
                             CROSS JOIN LATERAL (SELECT o.ctid AS row_id FROM {schema}.wallets o
                                                  WHERE o.id = u.id OFFSET 0) r) v
                     WHERE w.ctid = v.row_id
                    RETURNING 1
                ), transactions AS (
                    INSERT INTO {schema}.ledger_transactions (%2$s, created_at)
                    SELECT v.id, v.type, v.reference_id, v.asset_id, v.amount, v.reverses, v.request::jsonb,
                           v.metadata::jsonb, decode(v.fingerprint, 'hex'), v.actor, (SELECT created_at FROM stamp)
                      FROM %3$s
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
                )
                SELECT (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM balances) AS wallets,
                       (SELECT count(*) FROM refusals) AS refusals
                """.formatted(
                        WALLETS.unnest("u"),
                        TRANSACTIONS.names(),
                        TRANSACTIONS.unnest("v"),
                        ENTRIES.unnest("v"),
                        References.REFUSALS.names(),
                        References.REFUSAL_VALUES,
                        References.REFUSALS.unnest("v")));
        // How much of each original was already taken back, read under the locks of its wallets (so every
        // earlier reversal of it has committed): ledger_transactions_reverses_idx, one probe per original.
        this.taken = sql.format("""
                SELECT o.id, (SELECT COALESCE(sum(r.amount), 0) FROM {schema}.ledger_transactions r
                               WHERE r.reverses = o.id) AS taken
                  FROM unnest(?::uuid[]) AS o(id)
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
        for (int round = 1; outcomes == null; round++) {
            try {
                outcomes = runner.write(c -> attempt(c, operations, actors, atomic), operations.size(), deadlineMillis);
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

    private List<Outcome> attempt(
            Connection connection, List<Operation> operations, List<String> actors, boolean atomic)
            throws SQLException {
        Outcome[] outcomes = new Outcome[operations.size()];
        Map<String, Integer> firstByReference = new LinkedHashMap<>();
        for (int i = 0; i < operations.size(); i++) {
            firstByReference.putIfAbsent(operations.get(i).referenceId(), i);
        }
        References.Claim claim = references.claim(connection, firstByReference.keySet());
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
        AssetDirectory.AssetRow[] rows = new AssetDirectory.AssetRow[operations.size()];
        List<References.Refusal> refusals = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        for (int i : claimed) {
            Optional<AssetDirectory.AssetRow> row = asset(connection, operations.get(i), originals);
            if (row.isEmpty()) {
                outcomes[i] = refuse(
                        notFound(operations.get(i), originals), i, operations.get(i), actors.get(i), atomic, refusals);
            } else {
                rows[i] = row.get();
                pending.add(i);
            }
        }
        Plan plan = null;
        if (!pending.isEmpty()) {
            plan = lock(connection, operations, rows, originals, pending);
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
                        List.of(),
                        false));
            }
        }
        settleRepeatedReferences(operations, outcomes, firstByReference);
        return Arrays.asList(outcomes);
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
            Connection connection, Operation operation, Map<UUID, TransactionResult> originals) throws SQLException {
        Optional<String> code = operation
                .namedAssetCode()
                .or(() -> operation.original().map(originals::get).map(TransactionResult::assetCode));
        return code.isEmpty() ? Optional.empty() : assets.find(connection, code.get());
    }

    private static WalletException notFound(Operation operation, Map<UUID, TransactionResult> originals) {
        Optional<UUID> original = operation.original();
        if (original.isPresent() && !originals.containsKey(original.get())) {
            return WalletException.of(
                    ErrorCode.TRANSACTION_NOT_FOUND,
                    "there is no transaction " + original.get(),
                    Map.of("transaction_id", original.get().toString()));
        }
        return AssetDirectory.notFound(operation.namedAssetCode().orElseThrow());
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
     * Locks every wallet the pending operations touch (creating the accounts they credit), reads how much of
     * each original was already taken back, and returns an empty plan over the locked accounts, dated once
     * they are all locked.
     */
    private Plan lock(
            Connection connection,
            List<Operation> operations,
            AssetDirectory.AssetRow[] rows,
            Map<UUID, TransactionResult> originals,
            List<Integer> pending)
            throws SQLException {
        Set<Plan.Holder> holders = new LinkedHashSet<>();
        Set<Plan.WalletKey> credited = new LinkedHashSet<>();
        Map<UUID, Plan.Original> taken = new LinkedHashMap<>();
        for (int i : pending) {
            Operation operation = operations.get(i);
            TransactionResult original =
                    operation.original().map(originals::get).orElse(null);
            if (original != null) {
                taken.computeIfAbsent(original.transactionId(), id -> new Plan.Original(original));
            }
            for (Plan.Touch touch : Plan.touches(operation, rows[i], original, accounts)) {
                holders.add(touch.holder());
                if (touch.credited()) {
                    credited.add(touch.key());
                }
            }
        }
        Locks.Locked locked = locks.lock(connection, holders, credited);
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
        return new Plan(locked.wallets(), taken, locked.clock(), accounts);
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
            next = ENTRIES.bind(connection, statement, next, postings);
            References.REFUSALS.bind(connection, statement, next, refusals);
            try (ResultSet result = statement.executeQuery()) {
                Invariants.require(
                        result.next()
                                && result.getLong("transactions") == planned.size()
                                && result.getLong("wallets") == wallets.size()
                                && result.getLong("refusals") == refusals.size(),
                        "the write inserts the " + planned.size() + " transactions and " + refusals.size()
                                + " refusals and updates the " + wallets.size() + " wallets it is given");
            }
        }
    }
}
