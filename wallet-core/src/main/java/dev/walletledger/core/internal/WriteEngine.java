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
import java.time.Instant;
import java.time.OffsetDateTime;
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
 * Applies a list of operations in one database transaction, each with its own outcome. Round trips
 * per call, whatever the number of operations: replay lookup, wallet creation, wallet locks, one write
 * (and, when reversals or chargebacks are among them, one read of what they take back before the locks
 * and one of what was already taken back under them).
 *
 * <p>Lock order, the one rule that keeps this free of deadlocks: a transaction first creates the USER
 * wallets it will credit, then locks every USER wallet it touches, both in ascending (owner_id COLLATE
 * "C", asset_id, account) order. SYSTEM wallets are never locked or updated: their rows are read-only and their
 * balance is the sum of their entries. A transaction waits only on rows of strictly later keys than any
 * it holds within the same step, and steps come in the same order everywhere, so no cycle can form.
 */
public final class WriteEngine {
    private final TransactionRunner runner;
    private final AssetDirectory assets;
    private final TransactionReader reader;
    private final Counters counters;
    private final String createWallets;
    private final String lockWallets;
    private final String write;
    private final String taken;

    public WriteEngine(
            SqlText sql, TransactionRunner runner, AssetDirectory assets, TransactionReader reader, Counters counters) {
        this.runner = runner;
        this.assets = assets;
        this.reader = reader;
        this.counters = counters;
        // Every statement below runs under IndexPlans' settings (the transaction begins with them), and each
        // is driven by the keys it names: the comment above each says through which index.

        // Driven by the unnest rows; each conflict check is a probe of wallets_owner_key.
        this.createWallets = sql.format("""
                INSERT INTO {schema}.wallets (kind, owner_id, asset_id, account, balance)
                SELECT 'USER', k.owner_id, k.asset_id, k.account, 0
                  FROM unnest(?::text[], ?::int4[], ?::text[]) AS k(owner_id, asset_id, account)
                 ORDER BY k.owner_id COLLATE "C", k.asset_id, k.account COLLATE "C"
                ON CONFLICT (kind, owner_id, asset_id, account) DO NOTHING
                """);
        // Driven by the keys, sorted into the lock order; each key is locked by its own LATERAL subquery (a
        // locking subquery is never flattened), one probe of wallets_owner_key (kind, owner_id, asset_id,
        // account) with all four fixed, in the keys' order. The clock is read once every lock is held: the count
        // over the locked rows must finish (taking every lock) before the row that reads clock_timestamp()
        // exists. So a writer that waited for a wallet is dated after the writer it waited for, not when it
        // began. The outer query always returns that row, even when no wallet matched.
        this.lockWallets = sql.format("""
                WITH locked AS MATERIALIZED (
                    SELECT w.id, w.owner_id, w.asset_id, w.account, w.balance, w.chain_head, w.last_entry_at
                      FROM (SELECT * FROM unnest(?::text[], ?::int4[], ?::text[]) AS k(owner_id, asset_id, account)
                             ORDER BY k.owner_id COLLATE "C", k.asset_id, k.account COLLATE "C" OFFSET 0) k -- kept, sorted
                     CROSS JOIN LATERAL (
                           SELECT w.id, w.owner_id, w.asset_id, w.account, w.balance, w.chain_head, w.last_entry_at
                             FROM {schema}.wallets w
                            WHERE w.kind = 'USER' AND w.owner_id = k.owner_id AND w.asset_id = k.asset_id
                              AND w.account = k.account
                              FOR UPDATE) w
                ), clock AS (
                    SELECT clock_timestamp() AS now FROM (SELECT count(*) FROM locked) AS all_locked
                )
                SELECT c.now, l.id, l.owner_id, l.asset_id, l.balance, l.chain_head, l.last_entry_at, l.account
                  FROM clock c LEFT JOIN locked l ON true
                """);
        // The UPDATE is driven by the new values: each wallet row is found by a primary-key probe in a
        // LATERAL subquery the planner cannot flatten (OFFSET 0), then updated through its row address
        // (ctid), which only a parameterized TID probe can match. Joining on the id instead would let the
        // planner start from a whole walk of the primary key when its estimates say the table is tiny. (The
        // rows cannot move meanwhile: this transaction holds their locks.) The inserts read nothing but the
        // foreign key's primary-key probe and their unique indexes. created_at is the plan's, which the
        // chain hashes, so what is stored is what was hashed.
        this.write = sql.format("""
                WITH balances AS (
                    UPDATE {schema}.wallets w
                       SET balance = v.balance, chain_head = decode(v.head, 'hex'), last_entry_at = ?::timestamptz
                      FROM (SELECT r.row_id, u.*
                              FROM unnest(?::int8[], ?::int8[], ?::text[]) AS u(id, balance, head)
                             CROSS JOIN LATERAL (SELECT o.ctid AS row_id FROM {schema}.wallets o
                                                  WHERE o.id = u.id OFFSET 0) r) v
                     WHERE w.ctid = v.row_id
                    RETURNING 1
                ), transactions AS (
                    INSERT INTO {schema}.ledger_transactions (id, type, reference_id, asset_id, amount, reverses,
                                request, metadata, fingerprint, actor, created_at)
                    SELECT v.id, v.type, v.reference_id, v.asset_id, v.amount, v.reverses,
                           v.request::jsonb, v.metadata::jsonb, decode(v.fingerprint, 'hex'), v.actor, ?::timestamptz
                      FROM unnest(?::uuid[], ?::text[], ?::text[], ?::int4[], ?::int8[], ?::uuid[],
                                  ?::text[], ?::text[], ?::text[], ?::text[])
                           AS v(id, type, reference_id, asset_id, amount, reverses,
                                request, metadata, fingerprint, actor)
                    RETURNING 1
                ), entries AS (
                    INSERT INTO {schema}.ledger_entries (transaction_id, wallet_id, direction, amount, balance_after,
                                chain_hash)
                    SELECT v.transaction_id, v.wallet_id, v.direction, v.amount, v.balance_after, decode(v.link, 'hex')
                      FROM unnest(?::uuid[], ?::int8[], ?::text[], ?::int8[], ?::int8[], ?::text[])
                           AS v(transaction_id, wallet_id, direction, amount, balance_after, link)
                )
                SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM balances)
                """);
        // How much of each original was already taken back, read under the locks of its wallets (so every
        // earlier reversal of it has committed): ledger_transactions_reverses_idx, one probe per original.
        this.taken = sql.format("""
                SELECT o.id, (SELECT COALESCE(sum(r.amount), 0) FROM {schema}.ledger_transactions r
                               WHERE r.reverses = o.id)
                  FROM unnest(?::uuid[]) AS o(id)
                """);
    }

    /**
     * Applies the operations. Atomic: the first refusal is thrown (details name its {@code index}) and
     * nothing is written. Independent: every operation gets its outcome. {@code actors} (same size, null
     * entries allowed) says who asked for each; it is recorded and chained, not compared on replay.
     */
    public List<Outcome> execute(List<Operation> operations, List<String> actors, boolean atomic) {
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
        int count = operations.size();
        Outcome[] outcomes = new Outcome[count];
        AssetDirectory.AssetRow[] rows = new AssetDirectory.AssetRow[count];
        Map<String, Integer> firstByReference = new HashMap<>();
        Map<UUID, TransactionResult> originals = reader.byIds(connection, takenBack(operations));
        for (int i = 0; i < count; i++) {
            Operation operation = operations.get(i);
            UUID target = target(operation);
            String assetCode = target == null
                    ? assetCode(operation)
                    : originals.containsKey(target) ? originals.get(target).assetCode() : null;
            var row =
                    assetCode == null ? Optional.<AssetDirectory.AssetRow>empty() : assets.find(connection, assetCode);
            if (row.isEmpty()) {
                outcomes[i] = refuse(
                        assetCode == null
                                ? WalletException.of(
                                        ErrorCode.TRANSACTION_NOT_FOUND,
                                        "there is no transaction " + target,
                                        Map.of("transaction_id", target.toString()))
                                : AssetDirectory.notFound(assetCode),
                        i,
                        atomic);
            } else {
                rows[i] = row.get();
                firstByReference.putIfAbsent(operation.referenceId(), i);
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
                Instant createdAt = plan.createdAt();
                for (Plan.Planned p : plan.planned()) {
                    outcomes[p.index()] = new Outcome.Applied(new TransactionResult(
                            p.transactionId(),
                            p.operation(),
                            p.asset().asset().code(),
                            p.amount(),
                            p.reverses(),
                            createdAt,
                            p.actor(),
                            p.entries(),
                            List.of(),
                            false));
                }
            }
        }
        settleRepeatedReferences(operations, outcomes, firstByReference);
        return Arrays.asList(outcomes);
    }

    /** The transaction a reversal or chargeback takes back; null for the other types. */
    private static UUID target(Operation operation) {
        if (operation instanceof Operation.Reversal r) {
            return r.transactionId();
        }
        return operation instanceof Operation.Chargeback c ? c.transactionId() : null;
    }

    /** The asset an operation that names one moves. */
    private static String assetCode(Operation operation) {
        return operation.fields().get("asset_code");
    }

    private static Set<UUID> takenBack(List<Operation> operations) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (Operation operation : operations) {
            UUID target = target(operation);
            if (target != null) {
                ids.add(target);
            }
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
     * Creates the wallets to be credited, then locks every USER wallet involved, both in key order;
     * returns an empty plan over the locked wallets, dated once they are all locked: the database clock
     * then, or the latest entry time of a locked wallet if that is later (a clock stepped back), so time
     * never runs backwards along a wallet. Under the locks, reads how much of each original was already
     * taken back.
     */
    private Plan lock(
            Connection connection,
            List<Operation> operations,
            AssetDirectory.AssetRow[] rows,
            Map<UUID, TransactionResult> originals,
            List<Integer> pending)
            throws SQLException {
        Set<Plan.WalletKey> credited = new LinkedHashSet<>();
        Set<Plan.WalletKey> all = new LinkedHashSet<>();
        Map<UUID, Plan.Original> taken = new LinkedHashMap<>();
        for (int i : pending) {
            Operation operation = operations.get(i);
            UUID target = target(operation);
            TransactionResult original = target == null ? null : originals.get(target);
            if (original != null) {
                taken.computeIfAbsent(target, id -> new Plan.Original(original));
            }
            for (Plan.Touch touch : Plan.touches(operation, rows[i], original)) {
                all.add(touch.key());
                if (touch.create()) {
                    credited.add(touch.key());
                }
            }
        }
        if (!credited.isEmpty()) {
            try (PreparedStatement statement = connection.prepareStatement(createWallets)) {
                bindKeys(connection, statement, credited);
                statement.executeUpdate();
            }
        }
        Map<Plan.WalletKey, Plan.LockedWallet> locked = new HashMap<>();
        Instant now = null;
        try (PreparedStatement statement = connection.prepareStatement(lockWallets)) {
            bindKeys(connection, statement, all);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Instant clock = result.getObject(1, OffsetDateTime.class).toInstant();
                    now = now == null || clock.isAfter(now) ? clock : now;
                    if (result.getObject(2) != null) {
                        locked.put(
                                new Plan.WalletKey(result.getString(3), result.getInt(4), result.getString(8)),
                                new Plan.LockedWallet(result.getLong(2), result.getLong(5), result.getBytes(6)));
                        OffsetDateTime lastEntryAt = result.getObject(7, OffsetDateTime.class);
                        if (lastEntryAt != null && lastEntryAt.toInstant().isAfter(now)) {
                            now = lastEntryAt.toInstant();
                        }
                    }
                }
            }
        }
        if (!taken.isEmpty()) {
            try (PreparedStatement statement = connection.prepareStatement(this.taken)) {
                statement.setArray(
                        1, connection.createArrayOf("uuid", taken.keySet().toArray(new UUID[0])));
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        taken.get(result.getObject(1, UUID.class)).taken = result.getLong(2);
                    }
                }
            }
        }
        return new Plan(locked, taken, now);
    }

    /** Binds the keys in the lock order, checked here as well as by the statements' ORDER BY. */
    private static void bindKeys(Connection connection, PreparedStatement statement, Set<Plan.WalletKey> keys)
            throws SQLException {
        List<Plan.WalletKey> ordered =
                keys.stream().sorted(Invariants.LOCK_ORDER).toList();
        for (int k = 1; k < ordered.size(); k++) {
            Invariants.require(
                    Invariants.LOCK_ORDER.compare(ordered.get(k - 1), ordered.get(k)) < 0,
                    "wallet keys are distinct and taken in strictly ascending lock order");
        }
        String[] owners = new String[ordered.size()];
        Integer[] assetIds = new Integer[ordered.size()];
        String[] accounts = new String[ordered.size()];
        int i = 0;
        for (Plan.WalletKey key : ordered) {
            owners[i] = key.owner();
            accounts[i] = key.account();
            assetIds[i++] = key.assetId();
        }
        statement.setArray(1, connection.createArrayOf("text", owners));
        statement.setArray(2, connection.createArrayOf("int4", assetIds));
        statement.setArray(3, connection.createArrayOf("text", accounts));
    }

    /** One statement: new balances, chain heads and last entry times; transactions; entries. */
    private void write(Connection connection, Plan plan) throws SQLException {
        List<Plan.LockedWallet> wallets = plan.touchedWallets();
        List<Plan.Planned> planned = plan.planned();
        int n = planned.size();
        int entryCount = planned.stream().mapToInt(p -> p.entries().size()).sum();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        String[] references = new String[n];
        Integer[] assetIds = new Integer[n];
        Long[] amounts = new Long[n];
        UUID[] reverses = new UUID[n];
        String[] requests = new String[n];
        String[] metadata = new String[n];
        String[] fingerprints = new String[n];
        String[] actors = new String[n];
        UUID[] entryTransactions = new UUID[entryCount];
        Long[] entryWallets = new Long[entryCount];
        String[] entryDirections = new String[entryCount];
        Long[] entryAmounts = new Long[entryCount];
        Long[] entryBalances = new Long[entryCount];
        String[] entryLinks = new String[entryCount];
        int e = 0;
        for (int i = 0; i < n; i++) {
            Plan.Planned p = planned.get(i);
            Operation operation = p.operation();
            ids[i] = p.transactionId();
            types[i] = operation.type().name();
            references[i] = operation.referenceId();
            assetIds[i] = p.asset().id();
            amounts[i] = p.amount();
            reverses[i] = p.reverses();
            requests[i] = Metadata.of(operation.fields()).json();
            metadata[i] = operation.metadata().json();
            fingerprints[i] = p.fingerprintHex();
            actors[i] = p.actor();
            for (int side = 0; side < p.entries().size(); side++, e++) {
                Entry entry = p.entries().get(side);
                entryTransactions[e] = p.transactionId();
                entryWallets[e] = entry.walletId();
                entryDirections[e] = entry.direction().name();
                entryAmounts[e] = entry.amount();
                entryBalances[e] =
                        entry.balanceAfter().isPresent() ? entry.balanceAfter().getAsLong() : null;
                byte[] link = p.links().get(side);
                entryLinks[e] = link == null ? null : Chain.hex(link);
            }
        }
        OffsetDateTime createdAt = plan.createdAt().atOffset(java.time.ZoneOffset.UTC);
        try (PreparedStatement statement = connection.prepareStatement(write)) {
            int p = 1;
            statement.setObject(p++, createdAt);
            statement.setArray(
                    p++,
                    connection.createArrayOf(
                            "int8", wallets.stream().map(w -> w.id).toArray(Long[]::new)));
            statement.setArray(
                    p++,
                    connection.createArrayOf(
                            "int8", wallets.stream().map(w -> w.balance).toArray(Long[]::new)));
            statement.setArray(
                    p++,
                    connection.createArrayOf(
                            "text", wallets.stream().map(w -> Chain.hex(w.head)).toArray(String[]::new)));
            statement.setObject(p++, createdAt); // the transactions' created_at, in their SELECT list
            statement.setArray(p++, connection.createArrayOf("uuid", ids));
            statement.setArray(p++, connection.createArrayOf("text", types));
            statement.setArray(p++, connection.createArrayOf("text", references));
            statement.setArray(p++, connection.createArrayOf("int4", assetIds));
            statement.setArray(p++, connection.createArrayOf("int8", amounts));
            statement.setArray(p++, connection.createArrayOf("uuid", reverses));
            statement.setArray(p++, connection.createArrayOf("text", requests));
            statement.setArray(p++, connection.createArrayOf("text", metadata));
            statement.setArray(p++, connection.createArrayOf("text", fingerprints));
            statement.setArray(p++, connection.createArrayOf("text", actors));
            statement.setArray(p++, connection.createArrayOf("uuid", entryTransactions));
            statement.setArray(p++, connection.createArrayOf("int8", entryWallets));
            statement.setArray(p++, connection.createArrayOf("text", entryDirections));
            statement.setArray(p++, connection.createArrayOf("int8", entryAmounts));
            statement.setArray(p++, connection.createArrayOf("int8", entryBalances));
            statement.setArray(p, connection.createArrayOf("text", entryLinks));
            try (ResultSet result = statement.executeQuery()) {
                Invariants.require(
                        result.next() && result.getLong(1) == n && result.getLong(2) == wallets.size(),
                        "the write inserts the " + n + " transactions and updates the " + wallets.size()
                                + " wallets it is given");
            }
        }
    }
}
