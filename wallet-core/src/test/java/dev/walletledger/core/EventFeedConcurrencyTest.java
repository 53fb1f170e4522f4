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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The feed is gap-free while writers commit out of order. Writers top up, spend, transfer, change controls and submit
 * batches of different sizes; some write reversals of a top-up whose row a second connection holds {@code FOR
 * UPDATE} for a while: such a reversal draws its event id, then waits (its foreign key check needs a key-share lock
 * on that row) while writers that drew later ids commit. Readers follow the feed by cursor the whole time. At the
 * end each reader has every event exactly once, positions 1 to the end without a gap, and along every wallet the
 * order of its entries; the audit holds (its {@code events} and {@code controls} checks included).
 */
class EventFeedConcurrencyTest {
    private static final String GOLD = "GOLD_COINS";
    private static final int USERS = 8;
    private static final int WRITERS = 4;
    private static final int OPERATIONS_PER_WRITER = 120;
    private static final int PAGES_MAX = 200_000;

    @Test
    void aFollowerNeverSkipsAnEventThatCommitsLate() throws Exception {
        long seed = Seeds.seed("EventFeedConcurrencyTest.oneNode");
        try (TestLedger t = TestDatabase.newLedger(LedgerConfig.defaults(), 12)) {
            run(t, List.of(t.ledger()), List.of(t.ledger(), t.ledger()), seed);
        }
    }

    /** Two ledgers ("nodes") on one database, both writing, both sequencing: their readers see one order. */
    @Test
    void twoNodesSequencingTogetherGiveOneOrder() throws Exception {
        long seed = Seeds.seed("EventFeedConcurrencyTest.twoNodes");
        try (TestLedger first = TestDatabase.newLedger(LedgerConfig.defaults(), 8);
                TestLedger second = TestDatabase.sameSchema(first, 0, 8)) {
            run(first, List.of(first.ledger(), second.ledger()), List.of(first.ledger(), second.ledger()), seed);
        }
    }

    private static void run(TestLedger t, List<Ledger> writers, List<Ledger> readers, long seed) throws Exception {
        Ledger setup = writers.get(0);
        Map<Integer, UUID> originals = new LinkedHashMap<>();
        for (int u = 0; u < USERS; u++) {
            originals.put(
                    u,
                    setup.topUp(Operation.topUp("u" + u, GOLD, 1_000_000, "orig-" + u))
                            .transactionId());
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + readers.size() + 1);
        try {
            List<Future<List<Event>>> followers = new ArrayList<>();
            for (int r = 0; r < readers.size(); r++) {
                Ledger reader = readers.get(r);
                Random random = new Random(seed + 100 + r);
                followers.add(pool.submit(() -> follow(reader, random, writing)));
            }
            Future<Integer> blocker = pool.submit(() -> block(t.schema(), originals, new Random(seed + 7), writing));
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Ledger ledger = writers.get(w % writers.size());
                Random random = new Random(seed + w);
                int writer = w;
                writes.add(pool.submit(() -> {
                    write(ledger, writer, random, originals);
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            int blocks = blocker.get(1, TimeUnit.MINUTES);
            List<List<Event>> seen = new ArrayList<>();
            for (Future<List<Event>> follower : followers) {
                seen.add(follower.get(2, TimeUnit.MINUTES));
            }
            check(t, seen, seed, blocks);
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        }
    }

    private static void write(Ledger ledger, int writer, Random random, Map<Integer, UUID> originals) {
        for (int i = 0; i < OPERATIONS_PER_WRITER; i++) {
            String user = "u" + random.nextInt(USERS);
            String reference = "w" + writer + "-" + i;
            int pick = random.nextInt(100);
            try {
                if (pick < 30) {
                    ledger.topUp(Operation.topUp(user, GOLD, 1 + random.nextInt(100), reference));
                } else if (pick < 45) {
                    ledger.spend(Operation.spend(user, GOLD, 1 + random.nextInt(50), reference));
                } else if (pick < 57) {
                    String to = "u" + ((Integer.parseInt(user.substring(1)) + 1 + random.nextInt(USERS - 1)) % USERS);
                    ledger.transfer(new Operation.Transfer(user, to, GOLD, 1 + random.nextInt(40), reference, null));
                } else if (pick < 77) {
                    int u = Integer.parseInt(user.substring(1));
                    ledger.reverse(new Operation.Reversal(
                            originals.get(u), reference, OptionalLong.of(1), "late commit", null));
                } else if (pick < 95) {
                    List<Operation> batch = new ArrayList<>();
                    int size = 1 + random.nextInt(8);
                    for (int b = 0; b < size; b++) {
                        String who = "u" + random.nextInt(USERS);
                        batch.add(
                                random.nextBoolean()
                                        ? Operation.topUp(who, GOLD, 1 + random.nextInt(20), reference + "-" + b)
                                        : Operation.spend(who, GOLD, 1 + random.nextInt(20), reference + "-" + b));
                    }
                    ledger.submit(random.nextBoolean() ? Batch.independent(batch) : Batch.atomic(batch));
                } else {
                    ledger.setControls(
                            new ControlsChange(
                                    user,
                                    GOLD,
                                    Optional.empty(),
                                    Optional.of(ControlsChange.Limit.of(1_000_000_000L + random.nextInt(1_000))),
                                    Optional.empty(),
                                    "limits " + reference),
                            "writer-" + writer);
                }
            } catch (WalletException refused) {
                // BUSY, or a batch refused whole: no event; the audit and the comparison below settle the rest
                assertTrue(
                        refused.code() == ErrorCode.BUSY || refused.code().binds(), "an expected refusal: " + refused);
            }
        }
    }

    /** Holds an original top-up's row for a while, again and again: its reversals wait after drawing their ids. */
    private static int block(String schema, Map<Integer, UUID> originals, Random random, AtomicBoolean writing)
            throws SQLException, InterruptedException {
        int blocks = 0;
        try (Connection connection = TestDatabase.superuser()) {
            connection.setAutoCommit(false);
            for (int round = 0; round < 5_000 && writing.get(); round++) {
                try (PreparedStatement lock = connection.prepareStatement(
                                "SELECT 1 FROM " + schema + ".ledger_transactions WHERE id = ? FOR UPDATE");
                        Statement sleep = connection.createStatement()) {
                    lock.setObject(1, originals.get(random.nextInt(USERS)));
                    lock.executeQuery().close();
                    sleep.execute("SELECT pg_sleep(" + (0.02 + random.nextInt(100) / 1000.0) + ")");
                }
                connection.commit();
                blocks++;
                Thread.sleep(random.nextInt(15));
            }
        }
        return blocks;
    }

    /** Follows the feed by cursor until the writers are done and a read finds the end; every event it was given. */
    private static List<Event> follow(Ledger ledger, Random random, AtomicBoolean writing) {
        List<Event> events = new ArrayList<>();
        Optional<String> after = Optional.empty();
        for (int page = 0; page < PAGES_MAX; page++) {
            boolean done = !writing.get(); // read before the page: a page read after the writers ended ends it
            Duration wait = random.nextInt(10) == 0 ? Duration.ofMillis(20) : Duration.ZERO;
            EventPage read = ledger.events(new EventQuery(after, Set.of(), 1 + random.nextInt(40), wait));
            events.addAll(read.events());
            after = Optional.of(read.next());
            if (done && read.events().isEmpty()) {
                return events;
            }
        }
        throw new AssertionError("the reader reached the end within " + PAGES_MAX + " pages");
    }

    private static void check(TestLedger t, List<List<Event>> seen, long seed, int blocks) throws SQLException {
        List<Long> allIds = new ArrayList<>();
        Map<String, List<UUID>> byWallet = new LinkedHashMap<>();
        long lateCommits;
        String s = t.schema();
        try (Connection connection = TestDatabase.superuser();
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT id FROM " + s + ".ledger_events ORDER BY position")) {
                while (rows.next()) {
                    allIds.add(rows.getLong(1));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT w.owner_id, e.transaction_id, min(e.id) AS first"
                    + " FROM " + s + ".ledger_entries e JOIN " + s + ".wallets w ON w.id = e.wallet_id"
                    + " WHERE w.kind = 'USER' GROUP BY w.owner_id, e.transaction_id ORDER BY w.owner_id, first")) {
                while (rows.next()) {
                    byWallet.computeIfAbsent(rows.getString(1), k -> new ArrayList<>())
                            .add(rows.getObject(2, UUID.class));
                }
            }
            // Events whose id is below an earlier-placed event's: drawn first, committed (and placed) later.
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM (SELECT position, max(position)"
                    + " OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM " + s
                    + ".ledger_events) p WHERE position < before")) {
                rows.next();
                lateCommits = rows.getLong(1);
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT count(*) FROM " + s + ".ledger_events WHERE" + " position IS NULL")) {
                rows.next();
                assertEquals(0, rows.getLong(1), "seed " + seed + ": the readers' reads numbered every event");
            }
        }
        for (List<Event> events : seen) {
            List<Long> ids = events.stream()
                    .map(e -> Long.parseLong(e.id().substring(4)))
                    .toList();
            assertEquals(new HashSet<>(ids).size(), ids.size(), "seed " + seed + ": no event twice");
            assertEquals(allIds, ids, "seed " + seed + ": the reader saw every event, in the feed's order");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(Long.toString(i + 1), events.get(i).cursor(), "seed " + seed + ": positions 1..n");
            }
            Map<String, List<UUID>> followed = new LinkedHashMap<>();
            for (Event event : events) {
                event.transaction()
                        .ifPresent(tx -> tx.entries().stream()
                                .filter(e -> e.walletKind() == WalletKind.USER)
                                .map(Entry::owner)
                                .distinct()
                                .forEach(owner -> followed.computeIfAbsent(owner, k -> new ArrayList<>())
                                        .add(tx.transactionId())));
            }
            for (Map.Entry<String, List<UUID>> wallet : byWallet.entrySet()) {
                assertEquals(
                        wallet.getValue(),
                        followed.get(wallet.getKey()),
                        "seed " + seed + ": along " + wallet.getKey() + " the feed follows the entries");
            }
        }
        AuditReport audit = t.ledger().verify();
        assertTrue(audit.consistent(), "seed " + seed + ": " + audit.violations());
        System.out.println("EventFeedConcurrencyTest seed=" + seed + ": " + allIds.size() + " events, "
                + seen.size() + " readers agreed, " + lateCommits + " committed after a later id was placed, "
                + blocks + " blocking holds");
        assertTrue(lateCommits > 0, "seed " + seed + ": some writer committed out of order (else nothing was proved)");
    }
}
