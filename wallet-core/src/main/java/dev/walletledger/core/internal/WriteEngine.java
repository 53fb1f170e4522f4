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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Applies a list of operations in one database transaction, each with its own outcome. Round trips per call,
 * whatever the number of operations: the replay lookup, the creation of wallets to be credited, the locks
 * ({@link Locks}), one write (and, when reversals or chargebacks are among them, one read of what they take
 * back before the locks and one of what was already taken back under them).
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
        // The UPDATE is driven by the new values: each wallet row is found by a primary-key probe in a LATERAL
        // subquery the planner cannot flatten (OFFSET 0), then updated through its row address (ctid), which only
        // a parameterized TID probe can match. Joining on the id instead would let the planner start from a whole
        // walk of the primary key when its estimates say the table is tiny. (The rows cannot move meanwhile: this
        // transaction holds their locks.) The inserts read nothing but the foreign key's primary-key probe and
        // their unique indexes. created_at is the plan's, which the chain hashes, so what is stored is what was
        // hashed; it is the one parameter bound by position, first.
        this.write = sql.format("""
                WITH stamp AS (SELECT ?::timestamptz AS created_at), balances AS (
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
                )
                SELECT (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM balances) AS wallets
                """.formatted(
                        WALLETS.unnest("u"), TRANSACTIONS.names(), TRANSACTIONS.unnest("v"), ENTRIES.unnest("v")));
        // How much of each original was already taken back, read under the locks of its wallets (so every
        // earlier reversal of it has committed): ledger_transactions_reverses_idx, one probe per original.
        this.taken = sql.format("""
                SELECT o.id, (SELECT COALESCE(sum(r.amount), 0) FROM {schema}.ledger_transactions r
                               WHERE r.reverses = o.id) AS taken
                  FROM unnest(?::uuid[]) AS o(id)
                """);
    }

    /**
     * Applies the operations. Atomic: the first refusal is thrown (details name its {@code index}) and
     * nothing is written. Independent: every operation gets its outcome. {@code actors} (same size, null
     * entries allowed) says who asked for each; it is recorded and chained, not compared on replay.
     */
    List<Outcome> execute(List<Operation> operations, List<String> actors, boolean atomic) {
        if (actors.size() != operations.size()) {
            throw new IllegalArgumentException("one actor per operation");
        }
        List<Outcome> outcomes = runner.write(c -> attempt(c, operations, actors, atomic), operations.size());
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
        AssetDirectory.AssetRow[] rows = new AssetDirectory.AssetRow[operations.size()];
        Map<String, Integer> firstByReference = new HashMap<>();
        Map<UUID, TransactionResult> originals = reader.byIds(connection, takenBack(operations));
        for (int i = 0; i < operations.size(); i++) {
            Optional<AssetDirectory.AssetRow> row = asset(connection, operations.get(i), originals);
            if (row.isEmpty()) {
                outcomes[i] = refuse(notFound(operations.get(i), originals), i, atomic);
            } else {
                rows[i] = row.get();
                firstByReference.putIfAbsent(operations.get(i).referenceId(), i);
            }
        }
        resolveReplays(connection, operations, outcomes, firstByReference, atomic);
        List<Integer> pending = new ArrayList<>();
        for (int i : firstByReference.values()) {
            if (outcomes[i] == null) {
                pending.add(i);
            }
        }
        pending.sort(null);
        if (!pending.isEmpty()) {
            Plan plan = lock(connection, operations, rows, originals, pending);
            Map<Integer, WalletException> refusals = new TreeMap<>();
            for (int i : pending) {
                WalletException refusal = plan.add(i, operations.get(i), rows[i], actors.get(i));
                if (refusal != null) {
                    refusals.put(i, refusal);
                }
            }
            settleRefusals(connection, operations, outcomes, refusals, atomic);
            if (!plan.planned().isEmpty()) {
                write(connection, plan);
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
        }
        settleRepeatedReferences(operations, outcomes, firstByReference);
        return Arrays.asList(outcomes);
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

    private static Set<UUID> takenBack(List<Operation> operations) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (Operation operation : operations) {
            operation.original().ifPresent(ids::add);
        }
        return ids;
    }

    /** Operations whose reference is already recorded: an identical request is a replay, else a conflict. */
    private void resolveReplays(
            Connection connection,
            List<Operation> operations,
            Outcome[] outcomes,
            Map<String, Integer> firstByReference,
            boolean atomic)
            throws SQLException {
        Map<String, TransactionResult> recorded = reader.byReferences(connection, firstByReference.keySet());
        for (Map.Entry<String, TransactionResult> entry : recorded.entrySet()) {
            int index = firstByReference.get(entry.getKey());
            List<String> differences = Idempotency.differences(entry.getValue().operation(), operations.get(index));
            outcomes[index] = differences.isEmpty()
                    ? new Outcome.Applied(entry.getValue().asReplay())
                    : refuse(Idempotency.conflict(entry.getKey(), differences), index, atomic);
        }
    }

    /**
     * A request refused under its wallet locks (short of funds, say) may be the retry of the same request
     * that committed while this one waited for those locks: its reference was looked up before them. So
     * refused references are looked up once more, now that every earlier writer of these wallets has
     * committed; one found is a replay (or a conflict), never a refusal for the funds it spent itself.
     * At REPEATABLE READ and SERIALIZABLE the lock on a row changed by that commit already failed with
     * 40001 and the retry saw it; at READ COMMITTED this second look is what sees it.
     */
    private void settleRefusals(
            Connection connection,
            List<Operation> operations,
            Outcome[] outcomes,
            Map<Integer, WalletException> refusals,
            boolean atomic)
            throws SQLException {
        if (refusals.isEmpty()) {
            return;
        }
        List<String> references = new ArrayList<>();
        refusals.keySet().forEach(i -> references.add(operations.get(i).referenceId()));
        Map<String, TransactionResult> committedMeanwhile = reader.byReferences(connection, references);
        for (Map.Entry<Integer, WalletException> refused : refusals.entrySet()) {
            int index = refused.getKey();
            Operation operation = operations.get(index);
            TransactionResult recorded = committedMeanwhile.get(operation.referenceId());
            if (recorded == null) {
                outcomes[index] = refuse(refused.getValue(), index, atomic);
                continue;
            }
            List<String> differences = Idempotency.differences(recorded.operation(), operation);
            outcomes[index] = differences.isEmpty()
                    ? new Outcome.Applied(recorded.asReplay())
                    : refuse(Idempotency.conflict(operation.referenceId(), differences), index, atomic);
        }
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
                outcomes[i] = outcomes[first];
            }
        }
    }

    private static Outcome refuse(WalletException refusal, int index, boolean atomic) {
        if (atomic) {
            Map<String, Object> details = new LinkedHashMap<>(refusal.details());
            details.put("index", index);
            throw WalletException.of(refusal.code(), "operation " + index + ": " + refusal.getMessage(), details);
        }
        return new Outcome.Refused(refusal);
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

    /** One statement: new balances, chain heads and last entry times; transactions; entries. */
    private void write(Connection connection, Plan plan) throws SQLException {
        List<Plan.LockedWallet> wallets = plan.touchedWallets();
        List<Plan.Planned> planned = plan.planned();
        List<Posting> postings = new ArrayList<>();
        for (Plan.Planned p : planned) {
            for (int i = 0; i < p.entries().size(); i++) {
                postings.add(new Posting(
                        p.transactionId(), p.entries().get(i), p.links().get(i)));
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(write)) {
            statement.setObject(1, plan.createdAt().atOffset(ZoneOffset.UTC));
            int next = WALLETS.bind(connection, statement, 2, wallets);
            next = TRANSACTIONS.bind(connection, statement, next, planned);
            ENTRIES.bind(connection, statement, next, postings);
            try (ResultSet result = statement.executeQuery()) {
                Invariants.require(
                        result.next()
                                && result.getLong("transactions") == planned.size()
                                && result.getLong("wallets") == wallets.size(),
                        "the write inserts the " + planned.size() + " transactions and updates the " + wallets.size()
                                + " wallets it is given");
            }
        }
    }
}
