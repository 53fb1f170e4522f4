package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.testing.Release;
import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Upgrades a populated ledger made by the previous release's code: 0.2.0, from its jar, writes every kind of
 * movement into a schema of its own; then today's migrations run over it, and today's ledger must find it
 * consistent, with every balance and every transaction as 0.2.0 left them, and go on writing on it (a replay
 * of an old reference, a reversal of an old transaction).
 */
class UpgradeTest {
    @Test
    void aLedgerWrittenBy020IsUpgradedInPlace() throws Exception {
        long seed = Seeds.seed("UpgradeTest");
        Random random = new Random(seed);
        String schema = TestDatabase.newSchemaName();
        Map<String, Long> balances = new LinkedHashMap<>();
        List<String> references = new ArrayList<>();
        List<String> refusedBy020 = new ArrayList<>();
        try (HikariDataSource pool = TestDatabase.pool(4);
                Release old = Release.of("0.2.0")) {
            Object config = old.call(old.call("dev.walletledger.core.LedgerConfig", "defaults"), "withSchema", schema);
            old.call("dev.walletledger.core.Ledger", "migrate", pool, config);
            Object oldLedger = old.create("dev.walletledger.core.Ledger", pool, config);
            try {
                old.call(
                        oldLedger,
                        "addAsset",
                        old.create("dev.walletledger.core.Asset", "GOLD_COINS", "Gold Coins", 0));
                write(old, oldLedger, random, references, refusedBy020);
                for (int u = 0; u < 6; u++) {
                    Object balance = old.call(oldLedger, "balance", "up-" + u, "GOLD_COINS");
                    balances.put("up-" + u, (Long) old.call(balance, "balance"));
                }
            } finally {
                old.call(oldLedger, "close");
            }

            LedgerConfig today = LedgerConfig.defaults().withSchema(schema);
            assertTrue(Ledger.migrate(pool, today) >= 1, "today's migrations run over 0.2.0's schema");
            try (Ledger ledger = new Ledger(pool, today)) {
                AuditReport report = ledger.verify();
                assertTrue(report.consistent(), "seed " + seed + ": " + report.violations());
                balances.forEach((user, balance) ->
                        assertEquals(balance, ledger.balance(user, "GOLD_COINS").balance(), user));
                for (String reference : references) {
                    TransactionResult recorded =
                            ledger.transactionByReference(reference).orElseThrow();
                    TransactionResult replayed = ledger.apply(recorded.operation());
                    assertTrue(replayed.replayed(), reference + " replays");
                    assertEquals(recorded.transactionId(), replayed.transactionId());
                    assertEquals(recorded.balances(), replayed.balances(), reference);
                }
                TransactionResult top =
                        ledger.transactionByReference("up-top-0").orElseThrow();
                if (top.reversibleAmount() > 0
                        && ledger.balance("up-0", "GOLD_COINS").balance() > 0) {
                    long back = Math.min(
                            top.reversibleAmount(),
                            ledger.balance("up-0", "GOLD_COINS").balance());
                    ledger.reverse(new Operation.Reversal(
                            top.transactionId(), "up-after", OptionalLong.of(back), "after the upgrade", null));
                }
                ledger.topUp(Operation.topUp("up-new", "GOLD_COINS", 7, "up-new-1"));
                // V3: every reference 0.2.0 applied is bound to its transaction; one 0.2.0 refused is free (it
                // recorded no refusal); a refusal from now on is bound.
                assertTrue(
                        report.holds(AuditCheck.REFERENCES), report.violations().toString());
                for (String free : refusedBy020) {
                    TransactionResult applied = ledger.topUp(Operation.topUp("up-free", "GOLD_COINS", 1, free));
                    assertTrue(!applied.replayed(), free + " was refused by 0.2.0, which bound nothing");
                }
                WalletException refusal = org.junit.jupiter.api.Assertions.assertThrows(
                        WalletException.class,
                        () -> ledger.spend(Operation.spend("up-new", "GOLD_COINS", 1_000, "up-refused")));
                ledger.topUp(Operation.topUp("up-new", "GOLD_COINS", 2_000, "up-new-2"));
                WalletException again = org.junit.jupiter.api.Assertions.assertThrows(
                        WalletException.class,
                        () -> ledger.spend(Operation.spend("up-new", "GOLD_COINS", 1_000, "up-refused")));
                assertTrue(again.replayed() && again.code() == refusal.code(), again.toString());
                // V4: a wallet 0.2.0 made holds, captures and voids; the held account is created beside it.
                long before = ledger.balance("up-new", "GOLD_COINS").balance();
                TransactionResult held =
                        ledger.hold(Operation.Hold.expiringIn("up-new", "GOLD_COINS", 50, "up-hold-1", 600));
                UUID hold = held.holdId().orElseThrow();
                ledger.capture(new Operation.Capture(hold, "up-capture-1", OptionalLong.of(20), false, null, null));
                ledger.voidHold(new Operation.VoidHold(hold, "up-void-1", null));
                assertEquals(Hold.Status.VOIDED, ledger.hold(hold).orElseThrow().status());
                assertEquals(
                        new Balance("up-new", "GOLD_COINS", before - 20, 0, 0), ledger.balance("up-new", "GOLD_COINS"));
                AuditReport after = ledger.verify();
                assertTrue(after.consistent(), "seed " + seed + ": " + after.violations());
                assertTrue(after.holds(AuditCheck.HOLDS), after.violations().toString());
                System.out.println("UpgradeTest seed=" + seed + ": 0.2.0 wrote " + references.size()
                        + " transactions and refused " + refusedBy020.size()
                        + "; upgraded, audited, replayed, written on");
            }
        }
    }

    /**
     * The upgrade to lots splits each wallet 0.2.0 gave a bonus or a credit adjustment into paid and free by replaying its history (the
     * rules of the wallet-core README, "Upgrading to lots"), each expectation worked out by hand; a wallet never
     * given either stays paid. The split is posted once (a second migrate posts nothing) and spends from then on
     * take the free coins first, booking only the paid part as revenue.
     */
    @Test
    void walletsGivenBonusesBy020AreSplitByReplayingTheirHistory() throws Exception {
        String schema = TestDatabase.newSchemaName();
        try (HikariDataSource pool = TestDatabase.pool(4);
                Release old = Release.of("0.2.0")) {
            Object config = old.call(old.call("dev.walletledger.core.LedgerConfig", "defaults"), "withSchema", schema);
            old.call("dev.walletledger.core.Ledger", "migrate", pool, config);
            Object written = old.create("dev.walletledger.core.Ledger", pool, config);
            try {
                old.call(written, "addAsset", old.create("dev.walletledger.core.Asset", "GOLD_COINS", "Gold Coins", 0));
                // a: paid 100, free 50; a spend of 30 takes free coins first (free 20); 10 of it refunded goes
                // back to the free coins it took (free 30)
                apply(old, written, "topUp", "split-a", 100, "a-1");
                apply(old, written, "bonus", "split-a", 50, "a-2");
                UUID spend = apply(old, written, "spend", "split-a", 30, "a-3");
                old.call(
                        written,
                        "apply",
                        old.create(
                                "dev.walletledger.core.Operation$Reversal",
                                spend,
                                "a-4",
                                OptionalLong.of(10),
                                "refund",
                                null),
                        "upgrade-test");
                // b: free 40 and paid 20; a spend of 50 takes the 40 free and 10 paid; a bonus of 5 after
                apply(old, written, "bonus", "split-b", 40, "b-1");
                apply(old, written, "topUp", "split-b", 20, "b-2");
                apply(old, written, "spend", "split-b", 50, "b-3");
                apply(old, written, "bonus", "split-b", 5, "b-4");
                // c sends 10 of its 30 free coins to d: c keeps 20 free; what d receives counts as paid
                apply(old, written, "bonus", "split-c", 30, "c-1");
                old.call(
                        written,
                        "apply",
                        old.create(
                                "dev.walletledger.core.Operation$Transfer",
                                "split-c",
                                "split-d",
                                "GOLD_COINS",
                                10L,
                                "c-2",
                                null),
                        "upgrade-test");
                // f: an operator's credit is free coins, as it is with lots
                apply(old, written, "topUp", "split-f", 50, "f-1");
                old.call(
                        written,
                        "apply",
                        old.create(
                                "dev.walletledger.core.Operation$Adjustment",
                                "split-f",
                                "GOLD_COINS",
                                old.constant("dev.walletledger.core.Direction", "CREDIT"),
                                20L,
                                "f-2",
                                "compensation",
                                null),
                        "upgrade-test");
                // e: a bonus taken back in full leaves nothing free
                apply(old, written, "topUp", "split-e", 70, "e-1");
                UUID bonus = apply(old, written, "bonus", "split-e", 25, "e-2");
                old.call(
                        written,
                        "apply",
                        old.create(
                                "dev.walletledger.core.Operation$Reversal",
                                bonus,
                                "e-3",
                                OptionalLong.empty(),
                                "error",
                                null),
                        "upgrade-test");
            } finally {
                old.call(written, "close");
            }

            LedgerConfig today = LedgerConfig.defaults().withSchema(schema);
            Ledger.migrate(pool, today);
            assertEquals(0, Ledger.migrate(pool, today), "a second migrate applies nothing");
            try (Ledger ledger = new Ledger(pool, today)) {
                assertSplit(ledger, "split-a", 100, 30);
                assertSplit(ledger, "split-b", 10, 5);
                assertSplit(ledger, "split-c", 0, 20);
                assertSplit(ledger, "split-d", 10, 0);
                assertSplit(ledger, "split-e", 70, 0);
                assertSplit(ledger, "split-f", 50, 20);
                HistoryItem split =
                        ledger.history("split-a", "GOLD_COINS", null, 1).items().get(0);
                assertEquals(OperationType.LOT_SPLIT, split.type());
                assertTrue(split.referenceId().startsWith("wallet-ledger:lot-split:"), split.referenceId());
                assertEquals(30, split.amount());
                assertEquals(
                        List.of(),
                        ledger.history("split-d", "GOLD_COINS", null, 10).items().stream()
                                .filter(item -> item.type() == OperationType.LOT_SPLIT)
                                .toList(),
                        "a wallet never given a bonus or a credit adjustment is not split");
                TransactionResult spent = ledger.spend(Operation.spend("split-a", "GOLD_COINS", 40, "a-after"));
                assertEquals(
                        List.of(new Lot(LotClass.FREE, null, 30), new Lot(LotClass.PAID, null, 10)), spent.breakdown());
                AuditReport report = ledger.verify();
                assertTrue(report.consistent(), report.violations().toString());
                assertTrue(report.holds(AuditCheck.LOTS), report.violations().toString());
            }
            Ledger.migrate(pool, today);
            try (Ledger ledger = new Ledger(pool, today)) {
                assertSplit(ledger, "split-a", 90, 0); // the migrate again split nothing twice
            }
        }
    }

    /**
     * A ledger written by the code before lots, with holds (the last landing before them, V1 to V4: see
     * releases/README.md), upgraded with holds open. Held coins count as paid in the replay (they left main and
     * come back to main), so the split takes only what the spendable balance holds of free coins; after the
     * upgrade the holds release to main and capture as revenue, and the audit holds.
     */
    @Test
    void aLedgerWithOpenHoldsIsUpgraded() throws Exception {
        String schema = TestDatabase.newSchemaName();
        UUID open;
        UUID partly;
        try (HikariDataSource pool = TestDatabase.pool(4);
                Release old = Release.of("0.3.0-f7ae93a")) {
            Object config = old.call(old.call("dev.walletledger.core.LedgerConfig", "defaults"), "withSchema", schema);
            old.call("dev.walletledger.core.Ledger", "migrate", pool, config);
            Object written = old.create("dev.walletledger.core.Ledger", pool, config);
            try {
                old.call(written, "addAsset", old.create("dev.walletledger.core.Asset", "GOLD_COINS", "Gold Coins", 0));
                apply(old, written, "topUp", "held-a", 100, "h-1");
                apply(old, written, "bonus", "held-a", 50, "h-2");
                open = hold(old, written, 60, "h-3");
                partly = hold(old, written, 10, "h-4");
                old.call(
                        written,
                        "capture",
                        old.create(
                                "dev.walletledger.core.Operation$Capture",
                                partly,
                                "h-5",
                                OptionalLong.of(4),
                                false,
                                null,
                                null));
            } finally {
                old.call(written, "close");
            }

            LedgerConfig today = LedgerConfig.defaults().withSchema(schema);
            Ledger.migrate(pool, today);
            try (Ledger ledger = new Ledger(pool, today)) {
                // paid 100, free 50; the holds took 70 paid coins first: main keeps 30 paid and the 50 free
                Balance balance = ledger.balance("held-a", "GOLD_COINS");
                assertEquals(30, balance.paid());
                assertEquals(50, balance.free());
                assertEquals(66, balance.held());
                ledger.voidHold(new Operation.VoidHold(open, "h-after-1", null));
                TransactionResult captured = ledger.capture(
                        new Operation.Capture(partly, "h-after-2", OptionalLong.empty(), true, null, null));
                assertEquals(List.of(new Lot(LotClass.PAID, null, 6)), captured.breakdown());
                Balance after = ledger.balance("held-a", "GOLD_COINS");
                assertEquals(90, after.paid());
                assertEquals(50, after.free());
                assertEquals(0, after.held());
                AuditReport report = ledger.verify();
                assertTrue(report.consistent(), report.violations().toString());
            }
        }
    }

    /**
     * A ledger written by the code before events and controls (the last landing before V6: see releases/README.md),
     * with lots, holds and transfers, upgraded: the audit holds (its events check counts the history as before the
     * feed), the feed starts empty at the upgrade (no backfill, the decision V6 documents), new writes get their
     * events, and controls work on the old wallets, a daily limit counting the day's spends the old code made.
     */
    @Test
    void aLedgerWrittenBeforeEventsIsUpgradedAndItsFeedStartsEmpty() throws Exception {
        String schema = TestDatabase.newSchemaName();
        UUID open;
        long written;
        try (HikariDataSource pool = TestDatabase.pool(4);
                Release old = Release.of("0.3.0-cf5b0c9")) {
            Object config = old.call(old.call("dev.walletledger.core.LedgerConfig", "defaults"), "withSchema", schema);
            old.call("dev.walletledger.core.Ledger", "migrate", pool, config);
            Object ledger = old.create("dev.walletledger.core.Ledger", pool, config);
            try {
                old.call(ledger, "addAsset", old.create("dev.walletledger.core.Asset", "GOLD_COINS", "Gold Coins", 0));
                apply(old, ledger, "topUp", "ev-a", 500, "ev-1");
                apply(old, ledger, "bonus", "ev-a", 50, "ev-2"); // a free lot
                apply(old, ledger, "topUp", "ev-b", 300, "ev-3");
                apply(old, ledger, "spend", "ev-a", 70, "ev-4"); // free coins first
                old.call(
                        ledger,
                        "apply",
                        old.create(
                                "dev.walletledger.core.Operation$Transfer",
                                "ev-a",
                                "ev-b",
                                "GOLD_COINS",
                                40L,
                                "ev-5",
                                null),
                        "upgrade-test");
                open = hold(old, ledger, "ev-a", 60, "ev-6");
                UUID partly = hold(old, ledger, "ev-b", 30, "ev-7");
                old.call(
                        ledger,
                        "capture",
                        old.create(
                                "dev.walletledger.core.Operation$Capture",
                                partly,
                                "ev-8",
                                OptionalLong.of(10),
                                false,
                                null,
                                null));
            } finally {
                old.call(ledger, "close");
            }
            written = transactions(schema);
        }

        LedgerConfig today = LedgerConfig.defaults().withSchema(schema);
        try (HikariDataSource pool = TestDatabase.pool(4)) {
            assertTrue(Ledger.migrate(pool, today) >= 2, "V6 and V7 run over the old schema");
            try (Ledger ledger = new Ledger(pool, today)) {
                AuditReport upgraded = ledger.verify();
                assertTrue(upgraded.consistent(), upgraded.violations().toString());
                assertEquals("0", ledger.eventsEnd(), "the feed starts at the upgrade: no backfill");
                assertTrue(ledger.events(EventQuery.all()).events().isEmpty());
                assertEquals(written, transactionsBefore(schema), "the sequencer counted the history before the feed");

                ledger.topUp(Operation.topUp("ev-b", "GOLD_COINS", 5, "ev-after-1"));
                ledger.capture(Operation.Capture.all(open, "ev-after-2"));
                ledger.setControls(ControlsChange.status("ev-b", "GOLD_COINS", WalletStatus.FROZEN, "after"), "ops");
                WalletException frozen = org.junit.jupiter.api.Assertions.assertThrows(
                        WalletException.class,
                        () -> ledger.spend(Operation.spend("ev-b", "GOLD_COINS", 1, "ev-after-3")));
                assertEquals(ErrorCode.WALLET_FROZEN, frozen.code());
                // the old code's spends, transfers out and holds of today count when a limit is first set
                WalletControls limited = ledger.setControls(
                        new ControlsChange(
                                "ev-a",
                                "GOLD_COINS",
                                java.util.Optional.empty(),
                                java.util.Optional.empty(),
                                java.util.Optional.of(ControlsChange.Limit.of(1_000)),
                                "after"),
                        "ops");
                assertEquals(70 + 40 + 60, limited.spentToday());
                List<String> types = ledger.events(EventQuery.all()).events().stream()
                        .map(Event::type)
                        .toList();
                assertEquals(
                        List.of("transaction.topup", "hold.captured", "wallet.frozen", "wallet.limits_changed"), types);
                // V7 over the upgraded ledger: a subscription from the feed's start sees only what came after
                Webhook hook = ledger.addWebhook(
                        new WebhookRequest(
                                "https://203.0.113.10/hook",
                                java.util.Set.of(),
                                java.util.Optional.empty(),
                                java.util.Optional.of("0")),
                        "ops");
                assertEquals("0", hook.cursor());
                assertEquals(
                        List.of(hook.id()),
                        ledger.webhooks().stream().map(Webhook::id).toList());
                AuditReport after = ledger.verify();
                assertTrue(after.consistent(), after.violations().toString());
            }
        }
    }

    private static long transactions(String schema) throws java.sql.SQLException {
        return single("SELECT count(*) FROM " + schema + ".ledger_transactions");
    }

    private static long transactionsBefore(String schema) throws java.sql.SQLException {
        return single("SELECT transactions_before FROM " + schema + ".ledger_event_sequencer");
    }

    private static long single(String query) throws java.sql.SQLException {
        try (java.sql.Connection connection = TestDatabase.superuser();
                java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static UUID hold(Release old, Object ledger, String user, long amount, String reference) {
        Object operation = old.call(
                "dev.walletledger.core.Operation$Hold", "expiringIn", user, "GOLD_COINS", amount, reference, 600L);
        return (UUID) old.call(old.call(old.call(ledger, "hold", operation), "holdId"), "orElseThrow");
    }

    private static UUID hold(Release old, Object ledger, long amount, String reference) {
        Object operation = old.call(
                "dev.walletledger.core.Operation$Hold", "expiringIn", "held-a", "GOLD_COINS", amount, reference, 600L);
        Object result = old.call(ledger, "hold", operation);
        return (UUID) old.call(old.call(result, "holdId"), "orElseThrow");
    }

    private static void assertSplit(Ledger ledger, String user, long paid, long free) {
        Balance balance = ledger.balance(user, "GOLD_COINS");
        assertEquals(paid, balance.paid(), user + " paid");
        assertEquals(free, balance.free(), user + " free");
    }

    /** A 0.2.0 top-up, bonus or spend by its factory; its transaction id. */
    private static UUID apply(Release old, Object ledger, String factory, String user, long amount, String reference) {
        Object operation = old.call("dev.walletledger.core.Operation", factory, user, "GOLD_COINS", amount, reference);
        return (UUID) old.call(old.call(ledger, "apply", operation, "upgrade-test"), "transactionId");
    }

    /** Every movement of 0.2.0, by its own API. */
    private static void write(
            Release old, Object ledger, Random random, List<String> references, List<String> refusedReferences) {
        for (int i = 0; i < 60; i++) {
            String user = "up-" + random.nextInt(6);
            String reference = i < 6 ? "up-top-" + i : "up-" + i;
            user = i < 6 ? "up-" + i : user;
            Object operation;
            switch (i < 6 ? 0 : random.nextInt(6)) {
                case 0 ->
                    operation = old.call(
                            "dev.walletledger.core.Operation",
                            "topUp",
                            user,
                            "GOLD_COINS",
                            100L + random.nextInt(900),
                            reference);
                case 1 ->
                    operation = old.call(
                            "dev.walletledger.core.Operation",
                            "bonus",
                            user,
                            "GOLD_COINS",
                            1L + random.nextInt(50),
                            reference);
                case 2 ->
                    operation = old.call(
                            "dev.walletledger.core.Operation",
                            "spend",
                            user,
                            "GOLD_COINS",
                            1L + random.nextInt(80),
                            reference);
                case 3 ->
                    operation = old.create(
                            "dev.walletledger.core.Operation$Transfer",
                            user,
                            "up-" + ((random.nextInt(5) + 1 + Integer.parseInt(user.substring(3))) % 6),
                            "GOLD_COINS",
                            1L + random.nextInt(40),
                            reference,
                            null);
                case 4 ->
                    operation = old.create(
                            "dev.walletledger.core.Operation$Adjustment",
                            user,
                            "GOLD_COINS",
                            old.constant("dev.walletledger.core.Direction", "CREDIT"),
                            1L + random.nextInt(20),
                            reference,
                            "upgrade test",
                            null);
                default -> {
                    Object top = old.call(
                            old.call(ledger, "transactionByReference", "up-top-" + random.nextInt(6)), "orElseThrow");
                    operation = old.create(
                            "dev.walletledger.core.Operation$Reversal",
                            (UUID) old.call(top, "transactionId"),
                            reference,
                            OptionalLong.of(1),
                            "partial",
                            null);
                }
            }
            try {
                old.call(ledger, "apply", operation, "upgrade-test");
                references.add(reference);
            } catch (RuntimeException refused) { // short of funds, or taken back in full: 0.2.0 refused it
                if (!refused.getClass().getName().equals("dev.walletledger.core.WalletException")) {
                    throw refused;
                }
                refusedReferences.add(reference);
            }
        }
        Object top = old.call(old.call(ledger, "transactionByReference", "up-top-5"), "orElseThrow");
        old.call(
                ledger,
                "apply",
                old.create(
                        "dev.walletledger.core.Operation$Chargeback",
                        (UUID) old.call(top, "transactionId"),
                        "up-chargeback",
                        OptionalLong.of(10),
                        old.constant("dev.walletledger.core.ChargebackPolicy", "WRITE_OFF"),
                        null),
                "upgrade-test");
        references.add("up-chargeback");
    }
}
