package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The write path and the read paths stay on their indexes whatever the planner's statistics say. A
 * fresh schema with autovacuum off for its tables (so nothing analyzes them behind the test's back) is
 * loaded with 20,000 operations through the ledger itself, in one of three statistics states, and then
 * single operations, batches and every read run while the sequential-scan counters of the three ledger
 * tables are watched: they must not move.
 *
 * <p>The plans that matter are the ones a long-running process keeps: the ledger's pooled connections
 * plan their statements while the tables are empty and keep those plans (PostgreSQL caches a generic plan
 * per prepared statement and replans only when something invalidates it, such as an ANALYZE). So one
 * ledger and one pool serve the whole test, from the empty schema to the end.
 *
 * <p>Random choices print their seed; re-run one with {@code -Dwallet.seed=N}.
 */
class PlanStabilityTest {
    private static final List<String> TABLES = List.of("wallets", "ledger_transactions", "ledger_entries");
    private static final int POOL_SIZE = 6;
    private static final int LOAD_OPERATIONS = 20_000;
    private static final int LOAD_BATCH = 1_000;
    private static final int USERS = 2_000;
    private static final int SINGLES = 1_000;
    private static final int BATCHES = 10;
    private static final int BATCH_SIZE = 100;
    private static final String ASSET = "GOLD_COINS";
    private static final long INDEX_TUPLES_PER_CALL_MAX = 40;

    /** What the planner's statistics say when the load begins. */
    enum Statistics {
        /** Never analyzed: a fresh deployment, autovacuum not yet round. */
        NEVER_ANALYZED,
        /** Analyzed while empty: statistics that say zero rows, then a bulk load. */
        ANALYZED_EMPTY,
        /** Analyzed after a few operations: statistics that go stale as the ledger grows. */
        ANALYZED_SMALL
    }

    @ParameterizedTest
    @EnumSource(Statistics.class)
    void everyStatementStaysOnItsIndex(Statistics statistics) throws Exception {
        long seed = Seeds.seed("PlanStabilityTest " + statistics);
        Random random = new Random(seed);
        try (TestLedger test = TestDatabase.newLedger(LedgerConfig.defaults(), POOL_SIZE)) {
            Ledger ledger = test.ledger();
            String schema = test.schema();
            for (String table : TABLES) {
                TestDatabase.execute("ALTER TABLE " + schema + "." + table
                        + " SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)");
            }
            if (statistics == Statistics.ANALYZED_EMPTY) {
                analyze(schema);
            }
            // A few single operations on the (nearly) empty ledger: every pooled connection plans, and keeps,
            // the statements of the write and read paths while the tables are tiny.
            Workload workload = new Workload(ledger, random, "load");
            for (int i = 0; i < 200; i++) {
                workload.single();
                workload.read();
            }
            if (statistics == Statistics.ANALYZED_SMALL) {
                analyze(schema);
            }
            for (int loaded = 200; loaded < LOAD_OPERATIONS; loaded += LOAD_BATCH) {
                workload.batch(LOAD_BATCH);
            }
            Map<String, Long> before = seqScans(test);
            long indexReadsBefore = total(indexReads(schema));

            Workload measured = new Workload(ledger, random, "measured");
            for (int i = 0; i < SINGLES; i++) {
                measured.single();
            }
            for (int i = 0; i < BATCHES; i++) {
                measured.batch(BATCH_SIZE);
            }
            for (int i = 0; i < 200; i++) {
                measured.read();
            }
            measured.replaysAndRefusals();
            Map<String, Long> after = seqScans(test);
            Map<String, Long> indexReads = indexReads(schema);
            long indexTuples = total(indexReads) - indexReadsBefore;
            long calls = measured.calls();
            System.out.println("PlanStabilityTest " + statistics + ": " + indexTuples + " index tuples read for "
                    + calls + " calls during the measured work; by index since the schema was made: " + indexReads);

            Map<String, Long> moved = new LinkedHashMap<>();
            for (String table : TABLES) {
                moved.put(table, after.get(table) - before.get(table));
            }
            System.out.println("PlanStabilityTest " + statistics + ": sequential scans during the measured work "
                    + moved + " (before " + before + ", after " + after + ")");
            for (String table : TABLES) {
                assertEquals(
                        0L,
                        moved.get(table),
                        table + " was read by a sequential scan " + moved.get(table) + " times while " + statistics);
            }
            // An index walked whole instead of probed (a full scan by another name) would read the ledger's
            // 20,000+ rows per call; probes read a handful per row named.
            assertTrue(
                    indexTuples <= INDEX_TUPLES_PER_CALL_MAX * calls,
                    indexTuples + " index tuples read for " + calls + " calls: more than " + INDEX_TUPLES_PER_CALL_MAX
                            + " per call");
            assertTrue(ledger.verify().consistent(), "the ledger audits clean");
        }
    }

    /** Single operations, batches and reads over a fixed set of users, with fresh references. */
    private static final class Workload {
        private final Ledger ledger;
        private final Random random;
        private final String prefix;
        private final List<TransactionResult> applied = new ArrayList<>();
        private int sequence;
        private long calls;

        /** Ledger calls made, a batch counting one per operation. */
        long calls() {
            return calls;
        }

        Workload(Ledger ledger, Random random, String prefix) {
            this.ledger = ledger;
            this.random = random;
            this.prefix = prefix;
        }

        private String user() {
            return "user-" + random.nextInt(USERS);
        }

        private String reference() {
            return prefix + "-" + (sequence++);
        }

        /**
         * Mostly top-ups (a new user's first credit creates its wallet), some bonuses, spends and transfers,
         * and reversals and chargebacks of 1 of an earlier transaction.
         */
        private Operation operation() {
            String user = user();
            int kind = random.nextInt(20);
            if (kind < 10) {
                return Operation.topUp(user, ASSET, 1 + random.nextInt(1_000), reference());
            } else if (kind < 13) {
                return Operation.bonus(user, ASSET, 1 + random.nextInt(100), reference());
            } else if (kind < 16) {
                return Operation.spend(user, ASSET, 1 + random.nextInt(50), reference());
            } else if (kind < 18 || applied.isEmpty()) {
                String to = user();
                return to.equals(user)
                        ? Operation.spend(user, ASSET, 1, reference())
                        : new Operation.Transfer(user, to, ASSET, 1 + random.nextInt(50), reference(), null);
            }
            TransactionResult some = applied.get(random.nextInt(applied.size()));
            if (kind == 18 || some.type() != OperationType.TOPUP) {
                return new Operation.Reversal(some.transactionId(), reference(), OptionalLong.of(1), null, null);
            }
            return new Operation.Chargeback(
                    some.transactionId(), reference(), OptionalLong.of(1), ChargebackPolicy.WRITE_OFF, null);
        }

        void single() {
            calls++;
            try {
                applied.add(ledger.apply(operation()));
            } catch (WalletException refused) {
                assertTrue(
                        refused.code() == ErrorCode.INSUFFICIENT_FUNDS
                                || refused.code() == ErrorCode.WALLET_NOT_FOUND
                                || refused.code() == ErrorCode.REVERSAL_EXCEEDS_ORIGINAL
                                || refused.code() == ErrorCode.NOT_REVERSIBLE,
                        "only a debit or a take-back may be refused: " + refused);
            }
        }

        void batch(int size) {
            calls += size;
            List<Operation> operations = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                operations.add(operation());
            }
            for (Outcome outcome : ledger.submit(Batch.independent(operations)).outcomes()) {
                if (outcome instanceof Outcome.Applied a) {
                    applied.add(a.result());
                }
            }
        }

        /** Every read path: balance, balances, history (one asset, all assets, a second page), lookups. */
        void read() {
            if (applied.isEmpty()) {
                return; // the first operations were spends of wallets not yet credited
            }
            calls += 8;
            TransactionResult some = applied.get(random.nextInt(applied.size()));
            String user = some.userId();
            ledger.balance(user, ASSET);
            ledger.balances(user);
            HistoryPage page = ledger.history(user, ASSET, null, 2);
            page.nextCursor().ifPresent(cursor -> ledger.history(user, ASSET, cursor, 2));
            ledger.history(user, null, null, 10);
            assertTrue(ledger.transaction(some.transactionId()).isPresent());
            assertTrue(ledger.transactionByReference(some.operation().referenceId())
                    .isPresent());
            assertTrue(ledger.transaction(UUID.randomUUID()).isEmpty());
        }

        /** A replayed reference, a conflicting one and a refused spend: the lookups of the refusal paths. */
        void replaysAndRefusals() {
            for (int i = 0; i < 20; i++) {
                calls += 3;
                TransactionResult some = applied.get(random.nextInt(applied.size()));
                assertTrue(ledger.apply(some.operation()).replayed());
                Operation conflicting = Operation.topUp(
                        "someone-else", ASSET, 1, some.operation().referenceId());
                try {
                    ledger.apply(conflicting);
                } catch (WalletException e) {
                    assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, e.code());
                }
                try {
                    ledger.apply(Operation.spend(some.userId(), ASSET, Operation.AMOUNT_MAX, reference()));
                } catch (WalletException e) {
                    assertEquals(ErrorCode.INSUFFICIENT_FUNDS, e.code());
                }
            }
        }
    }

    private static void analyze(String schema) throws SQLException {
        for (String table : TABLES) {
            TestDatabase.execute("ANALYZE " + schema + "." + table);
        }
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, Long> indexReads(String schema) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = TestDatabase.superuser();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT indexrelname, idx_tup_read FROM pg_stat_user_indexes WHERE schemaname = ? ORDER BY 1")) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    /**
     * The tables' sequential-scan counters once every pooled connection has reported its counts. A backend
     * reports them when it goes idle at least a second after its last report, so: wait that second, then
     * run a statement on every connection of the pool at once.
     */
    private static Map<String, Long> seqScans(TestLedger test) throws Exception {
        Thread.sleep(1_100);
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < POOL_SIZE; i++) {
                Connection connection = test.dataSource().getConnection();
                all.add(connection);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
            }
        } finally {
            for (Connection connection : all) {
                connection.close();
            }
        }
        Thread.sleep(200); // the reports are sent after the answer to SELECT 1
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = TestDatabase.superuser();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT relname, seq_scan FROM pg_stat_user_tables WHERE schemaname = ?")) {
            statement.setString(1, test.schema());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        for (String table : TABLES) {
            assertTrue(counts.containsKey(table), "statistics for " + table);
        }
        return counts;
    }
}
