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
