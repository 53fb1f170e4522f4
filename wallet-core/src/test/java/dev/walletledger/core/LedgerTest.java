package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerTest {
    TestLedger t;
    Ledger ledger;

    @BeforeEach
    void setUp() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
    }

    @AfterEach
    void tearDown() {
        assertTrue(ledger.verify().consistent(), () -> ledger.verify().toString());
        t.close();
    }

    @Test
    void topUpCreditsTheUserFromTheTreasury() {
        Metadata metadata = Metadata.parse("{\"payment_intent_id\":\"pi_xxx\"}");
        TransactionResult r = ledger.topUp(
                new Operation.TopUp("user_alice", "GOLD_COINS", 10_000, "payment_stripe_pi_xxx", "stripe", metadata));
        assertEquals(10_000, r.balanceAfter());
        assertEquals(OperationType.TOPUP, r.type());
        assertEquals(metadata, r.metadata());
        assertEquals("stripe", ((Operation.TopUp) r.operation()).paymentMethod());
        assertEquals(2, r.entries().size());
        Entry user = r.entries().get(0);
        Entry treasury = r.entries().get(1);
        assertEquals(Direction.CREDIT, user.direction());
        assertEquals(10_000, user.balanceAfter().getAsLong());
        assertEquals(WalletKind.SYSTEM, treasury.walletKind());
        assertEquals("TREASURY", treasury.owner());
        assertEquals(Direction.DEBIT, treasury.direction());
        assertTrue(treasury.balanceAfter().isEmpty());
        assertEquals(r, ledger.transaction(r.transactionId()).orElseThrow());
        assertEquals(r, ledger.transactionByReference("payment_stripe_pi_xxx").orElseThrow());
    }

    @Test
    void bonusComesFromTheBonusPoolAndSpendGoesToRevenue() {
        ledger.topUp(Operation.topUp("bob", "DIAMONDS", 100, "t1"));
        TransactionResult bonus = ledger.grantBonus(new Operation.Bonus(
                "bob", "DIAMONDS", 50, "b1", "REFERRAL", Metadata.of(Map.of("referred_by", "user_bob"))));
        assertEquals("BONUS_POOL", bonus.entries().get(1).owner());
        assertEquals(150, bonus.balanceAfter());
        TransactionResult spend =
                ledger.spend(new Operation.Spend("bob", "DIAMONDS", 120, "s1", "skin_dragon_001", null));
        // free coins first: the bonus's 50, then 70 paid; only the paid part is revenue
        assertEquals(List.of(new Lot(LotClass.FREE, null, 50), new Lot(LotClass.PAID, null, 70)), spend.breakdown());
        Entry revenue = spend.entries().stream()
                .filter(e -> e.owner().equals("REVENUE"))
                .findFirst()
                .orElseThrow();
        assertEquals(Direction.CREDIT, revenue.direction());
        assertEquals(70, revenue.amount());
        Entry promo = spend.entries().stream()
                .filter(e -> e.owner().equals("PROMO_REDEEMED"))
                .findFirst()
                .orElseThrow();
        assertEquals(50, promo.amount());
        assertEquals(30, spend.balanceAfter());
        assertEquals(List.of(new Balance("bob", "DIAMONDS", 30, 0)), ledger.balances("bob"));
        LedgerStats.AssetStats diamonds = ledger.stats().assets().stream()
                .filter(a -> a.assetCode().equals("DIAMONDS"))
                .findFirst()
                .orElseThrow();
        assertEquals(3, diamonds.transactions());
        assertEquals(8, diamonds.entries());
        assertEquals(30, diamonds.userBalances().longValue());
        assertEquals(0, diamonds.sum().signum());
    }

    @Test
    void replayReturnsTheOriginalResultEvenAfterLaterWrites() {
        TransactionResult first = ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 500, "pay-1"));
        ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 700, "pay-2"));
        TransactionResult replay = ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 500, "pay-1"));
        assertTrue(replay.replayed());
        assertEquals(first.transactionId(), replay.transactionId());
        assertEquals(500, replay.balanceAfter(), "the balance right after the original, not the current one");
        assertEquals(first.createdAt(), replay.createdAt());
        assertEquals(1_200, ledger.balance("carol", "GOLD_COINS").balance());
        assertEquals(1, ledger.metrics().operationsReplayed());
    }

    @Test
    void replaysSurviveARestart() {
        TransactionResult first = ledger.topUp(Operation.topUp("olga", "GOLD_COINS", 42, "restart-1"));
        try (Ledger restarted = new Ledger(t.dataSource(), t.config())) {
            TransactionResult replay = restarted.topUp(Operation.topUp("olga", "GOLD_COINS", 42, "restart-1"));
            assertTrue(replay.replayed());
            assertEquals(first.transactionId(), replay.transactionId());
            assertEquals(first.entries(), replay.entries());
            assertCode(
                    ErrorCode.IDEMPOTENCY_CONFLICT,
                    () -> restarted.topUp(Operation.topUp("olga", "GOLD_COINS", 43, "restart-1")));
        }
    }

    @Test
    void aDifferentRequestUnderAUsedReferenceNamesTheDifferences() {
        ledger.topUp(new Operation.TopUp("dave", "GOLD_COINS", 500, "ref-x", "stripe", Metadata.empty()));
        WalletException e = assertThrows(
                WalletException.class,
                () -> ledger.topUp(new Operation.TopUp(
                        "dave", "GOLD_COINS", 600, "ref-x", "paypal", Metadata.parse("{\"a\":1}"))));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, e.code());
        assertEquals(
                List.of("amount", "payment_method", "metadata"), e.details().get("fields"));
        WalletException typeAndUser = assertThrows(
                WalletException.class, () -> ledger.spend(Operation.spend("erin", "GOLD_COINS", 500, "ref-x")));
        assertEquals(
                List.of("type", "user_id", "item_id"), typeAndUser.details().get("fields"));
        assertEquals(500, ledger.balance("dave", "GOLD_COINS").balance());
    }

    @Test
    void aSpendRefusedWhenShortBindsItsReferenceToTheRefusal() {
        ledger.topUp(Operation.topUp("erin", "GOLD_COINS", 100, "fund-1"));
        WalletException e = assertThrows(
                WalletException.class, () -> ledger.spend(Operation.spend("erin", "GOLD_COINS", 101, "buy-1")));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, e.code());
        assertEquals(100L, e.details().get("balance"));
        assertFalse(e.replayed());
        assertTrue(ledger.transactionByReference("buy-1").isEmpty());
        ledger.topUp(Operation.topUp("erin", "GOLD_COINS", 1, "fund-2"));
        WalletException again = assertThrows(
                WalletException.class, () -> ledger.spend(Operation.spend("erin", "GOLD_COINS", 101, "buy-1")));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, again.code(), "the first outcome, though the wallet now has 101");
        assertTrue(again.replayed());
        assertEquals(e.getMessage(), again.getMessage());
        assertEquals(e.details(), again.details());
        WalletException other = assertThrows(
                WalletException.class, () -> ledger.spend(Operation.spend("erin", "GOLD_COINS", 50, "buy-1")));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, other.code());
        assertEquals(List.of("amount"), other.details().get("fields"));
        assertEquals(101, ledger.balance("erin", "GOLD_COINS").balance());
        assertEquals(
                0,
                ledger.spend(Operation.spend("erin", "GOLD_COINS", 101, "buy-2"))
                        .balanceAfter());
        assertTrue(ledger.verify().consistent());
    }

    @Test
    void unknownWalletsAndAssetsAreNotFoundAndChangeNothing() {
        assertCode(ErrorCode.WALLET_NOT_FOUND, () -> ledger.spend(Operation.spend("nobody", "GOLD_COINS", 1, "s")));
        assertCode(ErrorCode.WALLET_NOT_FOUND, () -> ledger.balance("nobody", "GOLD_COINS"));
        assertCode(ErrorCode.WALLET_NOT_FOUND, () -> ledger.history("nobody", null, null, 10));
        assertCode(ErrorCode.ASSET_NOT_FOUND, () -> ledger.topUp(Operation.topUp("frank", "RUBIES", 1, "t")));
        assertCode(ErrorCode.ASSET_NOT_FOUND, () -> ledger.balance("frank", "RUBIES"));
        assertTrue(ledger.balances("nobody").isEmpty());
        assertTrue(ledger.balances("frank").isEmpty());
        assertEquals(0, ledger.verify().transactions());
        assertTrue(ledger.transaction(UUID.randomUUID()).isEmpty());
    }

    @Test
    void creditsThatWouldOverflowAreRefused() {
        long max = Operation.AMOUNT_MAX;
        List<Operation> fill = new ArrayList<>();
        for (int i = 0; i < 9_223; i++) { // 9,223 x 10^15 fits below 2^63-1 = 9,223,372,036,854,775,807
            fill.add(Operation.topUp("gina", "LOYALTY_POINTS", max, "fill-" + i));
        }
        assertEquals(
                5_000, ledger.submit(Batch.independent(fill.subList(0, 5_000))).appliedCount());
        assertEquals(
                4_223, ledger.submit(Batch.atomic(fill.subList(5_000, 9_223))).appliedCount());
        long balance = ledger.balance("gina", "LOYALTY_POINTS").balance();
        assertEquals(9_223 * max, balance);
        WalletException e = assertThrows(
                WalletException.class, () -> ledger.topUp(Operation.topUp("gina", "LOYALTY_POINTS", max, "overflow")));
        assertEquals(ErrorCode.BALANCE_OVERFLOW, e.code());
        ledger.topUp(Operation.topUp("gina", "LOYALTY_POINTS", Long.MAX_VALUE - balance, "to-the-brim"));
        assertEquals(Long.MAX_VALUE, ledger.balance("gina", "LOYALTY_POINTS").balance());
        assertCode(ErrorCode.BALANCE_OVERFLOW, () -> ledger.topUp(Operation.topUp("gina", "LOYALTY_POINTS", 1, "o2")));
    }

    @Test
    void historyPagesNewestFirstWithStableCursors() {
        for (int i = 1; i <= 7; i++) {
            ledger.topUp(Operation.topUp("hank", i % 2 == 0 ? "DIAMONDS" : "GOLD_COINS", i, "h-" + i));
        }
        HistoryPage first = ledger.history("hank", null, null, 3);
        assertEquals(
                List.of("h-7", "h-6", "h-5"),
                first.items().stream().map(HistoryItem::referenceId).toList());
        HistoryPage second = ledger.history("hank", null, first.nextCursor().orElseThrow(), 3);
        assertEquals(
                List.of("h-4", "h-3", "h-2"),
                second.items().stream().map(HistoryItem::referenceId).toList());
        ledger.topUp(Operation.topUp("hank", "GOLD_COINS", 8, "h-8")); // a new write does not shift old pages
        HistoryPage third = ledger.history("hank", null, second.nextCursor().orElseThrow(), 3);
        assertEquals(
                List.of("h-1"),
                third.items().stream().map(HistoryItem::referenceId).toList());
        assertTrue(third.nextCursor().isEmpty());

        HistoryPage gold = ledger.history("hank", "GOLD_COINS", null, 500);
        assertEquals(
                List.of("h-8", "h-7", "h-5", "h-3", "h-1"),
                gold.items().stream().map(HistoryItem::referenceId).toList());
        assertEquals(1 + 3 + 5 + 7 + 8, gold.items().get(0).balanceAfter());
        assertCode(ErrorCode.VALIDATION_FAILED, () -> ledger.history("hank", null, null, 0));
        assertCode(ErrorCode.VALIDATION_FAILED, () -> ledger.history("hank", null, null, HistoryPage.LIMIT_MAX + 1));
        assertCode(ErrorCode.VALIDATION_FAILED, () -> ledger.history("hank", null, "not-a-cursor", 10));
        assertCode(ErrorCode.VALIDATION_FAILED, () -> ledger.history("hank", null, "x".repeat(1000), 10));
    }

    @Test
    void independentBatchesGiveEachOperationItsOwnOutcome() {
        BatchResult result = ledger.submit(Batch.independent(List.of(
                Operation.topUp("ivy", "GOLD_COINS", 100, "b-1"),
                Operation.spend("ivy", "GOLD_COINS", 60, "b-2"),
                Operation.spend("ivy", "GOLD_COINS", 60, "b-3"), // short by now: refused alone
                Operation.spend("nobody", "GOLD_COINS", 1, "b-4"), // no wallet
                Operation.topUp("ivy", "RUBIES", 1, "b-5"), // no asset
                Operation.topUp("ivy", "GOLD_COINS", 100, "b-1"), // same reference, same request: replay
                Operation.topUp("ivy", "GOLD_COINS", 101, "b-1"), // same reference, different: conflict
                Operation.spend("ivy", "GOLD_COINS", 40, "b-6"))));
        List<Outcome> o = result.outcomes();
        assertEquals(100, applied(o.get(0)).balanceAfter());
        assertEquals(40, applied(o.get(1)).balanceAfter());
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, refused(o.get(2)));
        assertEquals(ErrorCode.WALLET_NOT_FOUND, refused(o.get(3)));
        assertEquals(ErrorCode.ASSET_NOT_FOUND, refused(o.get(4)));
        assertTrue(applied(o.get(5)).replayed());
        assertEquals(applied(o.get(0)).transactionId(), applied(o.get(5)).transactionId());
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, refused(o.get(6)));
        assertEquals(0, applied(o.get(7)).balanceAfter());
        assertEquals(3, ledger.verify().transactions());
    }

    @Test
    void atomicBatchesApplyAllOrNothing() {
        ledger.topUp(Operation.topUp("jay", "GOLD_COINS", 100, "a-0"));
        WalletException e = assertThrows(
                WalletException.class,
                () -> ledger.submit(Batch.atomic(List.of(
                        Operation.topUp("jay", "GOLD_COINS", 50, "a-1"),
                        Operation.spend("jay", "GOLD_COINS", 500, "a-2")))));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, e.code());
        assertEquals(1, e.details().get("index"));
        assertEquals(100, ledger.balance("jay", "GOLD_COINS").balance());
        assertTrue(ledger.transactionByReference("a-1").isEmpty());

        BatchResult ok = ledger.submit(Batch.atomic(List.of(
                Operation.topUp("kim", "GOLD_COINS", 50, "a-3"), // creates kim's wallet...
                Operation.spend("kim", "GOLD_COINS", 50, "a-4")))); // ...which this spend then empties
        assertEquals(2, ok.appliedCount());
        assertEquals(0, ledger.balance("kim", "GOLD_COINS").balance());
        assertCode(ErrorCode.VALIDATION_FAILED, () -> Batch.atomic(List.of()));
    }

    @Test
    void assetsCanBeAddedOnceWithTheirSystemWallets() {
        Asset rubies = new Asset("RUBIES", "Rubies", 2);
        assertEquals(rubies, ledger.addAsset(rubies));
        assertEquals(rubies, ledger.addAsset(rubies), "the same definition again is a no-op");
        assertCode(ErrorCode.ASSET_EXISTS, () -> ledger.addAsset(new Asset("RUBIES", "Rubies", 3)));
        TransactionResult r = ledger.topUp(Operation.topUp("lee", "RUBIES", 1_250, "r-1"));
        assertEquals("TREASURY", r.entries().get(1).owner());
        assertEquals(new Balance("lee", "RUBIES", 1_250, 2), ledger.balance("lee", "RUBIES"));
        assertCode(ErrorCode.VALIDATION_FAILED, () -> new Asset("rubies", "x", 0));
        assertCode(ErrorCode.VALIDATION_FAILED, () -> new Asset("OPALS", "Opals", 19));
    }

    @Test
    void metricsCountWhatHappened() {
        ledger.topUp(Operation.topUp("max", "GOLD_COINS", 10, "m-1"));
        ledger.topUp(Operation.topUp("max", "GOLD_COINS", 10, "m-1"));
        assertCode(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.spend(Operation.spend("max", "GOLD_COINS", 11, "m-2")));
        LedgerMetrics m = ledger.metrics();
        assertEquals(1, m.operationsApplied());
        assertEquals(1, m.operationsReplayed());
        assertEquals(1, m.operationsRefused());
        assertEquals(3, m.transactionsCommitted());
        assertTrue(ledger.healthy());
        assertFalse(ledger.config().schema().isEmpty());
    }

    private static TransactionResult applied(Outcome outcome) {
        return assertInstanceOf(Outcome.Applied.class, outcome).result();
    }

    private static ErrorCode refused(Outcome outcome) {
        return assertInstanceOf(Outcome.Refused.class, outcome).error().code();
    }

    private static void assertCode(ErrorCode code, Runnable call) {
        WalletException e = assertThrows(WalletException.class, call::run);
        assertEquals(code, e.code(), e.toString());
    }
}
