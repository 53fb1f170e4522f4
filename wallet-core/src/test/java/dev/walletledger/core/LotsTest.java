package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Currency lots on a real PostgreSQL: paid and free coins, the spend order, breakdowns, expiry (lazy, swept,
 * exactly once), refunds to the lots they came from, holds over lots and chargebacks that recover paid coins first.
 * Every test ends with a clean audit.
 */
class LotsTest {
    private static final String GOLD = "GOLD_COINS";

    private TestLedger t;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
    }

    @AfterEach
    void tearDown() {
        AuditReport audit = ledger.verify();
        assertTrue(audit.consistent(), audit.violations().toString());
        t.close();
    }

    private static Lot paid(long amount) {
        return new Lot(LotClass.PAID, null, amount);
    }

    private static Lot free(long amount) {
        return new Lot(LotClass.FREE, null, amount);
    }

    /** An expiry a few seconds ahead, on a whole second. */
    private static Instant soon(long seconds) {
        return Instant.now()
                .plusSeconds(seconds)
                .truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(1);
    }

    private static void sleepUntil(Instant moment) throws InterruptedException {
        long millis = java.time.Duration.between(Instant.now(), moment).toMillis() + 50;
        assertTrue(millis < 10_000, "a bounded wait");
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private TransactionResult bonus(String user, long amount, String reference, Instant expiresAt) {
        return ledger.grantBonus(new Operation.Bonus(user, GOLD, amount, reference, null, null, expiresAt));
    }

    private TransactionResult topUp(String user, long amount, String reference, Instant expiresAt) {
        return ledger.topUp(new Operation.TopUp(user, GOLD, amount, reference, null, null, expiresAt));
    }

    @Test
    void aSpendTakesFreeCoinsFirstAndOnlyThePaidPartIsRevenue() {
        topUp("ann", 100, "l-1", null);
        bonus("ann", 30, "l-2", null);
        Balance before = ledger.balance("ann", GOLD);
        assertEquals(130, before.balance());
        assertEquals(100, before.paid());
        assertEquals(30, before.free());

        TransactionResult spend = ledger.spend(Operation.spend("ann", GOLD, 50, "l-3"));
        assertEquals(List.of(free(30), paid(20)), spend.breakdown());
        assertEquals(
                spend.amount(),
                spend.breakdown().stream().mapToLong(Lot::amount).sum());
        assertEquals(20, credited(spend, SystemWallet.REVENUE));
        assertEquals(30, credited(spend, SystemWallet.PROMO_REDEEMED));
        assertEquals(80, spend.balanceAfter());
        Balance after = ledger.balance("ann", GOLD);
        assertEquals(80, after.paid());
        assertEquals(0, after.free());
        // a read of the spend tells the same breakdown
        assertEquals(
                spend.breakdown(),
                ledger.transaction(spend.transactionId()).orElseThrow().breakdown());
    }

    @Test
    void theSpendOrderIsTheAssets() {
        ledger.addAsset(new Asset("GEMS", "Gems", 0, SpendOrder.PAID_FIRST));
        ledger.topUp(new Operation.TopUp("bo", "GEMS", 10, "o-1", null, null));
        ledger.grantBonus(new Operation.Bonus("bo", "GEMS", 10, "o-2", null, null));
        TransactionResult spend = ledger.spend(Operation.spend("bo", "GEMS", 15, "o-3"));
        assertEquals(List.of(paid(10), free(5)), spend.breakdown());

        Instant later = soon(3600);
        Instant sooner = soon(60);
        ledger.addAsset(new Asset("STARS", "Stars", 0, SpendOrder.EXPIRING_FIRST));
        ledger.topUp(new Operation.TopUp("bo", "STARS", 10, "o-4", null, null, sooner));
        ledger.grantBonus(new Operation.Bonus("bo", "STARS", 10, "o-5", null, null, later));
        ledger.grantBonus(new Operation.Bonus("bo", "STARS", 10, "o-6", null, null));
        TransactionResult stars = ledger.spend(Operation.spend("bo", "STARS", 25, "o-7"));
        assertEquals(
                List.of(new Lot(LotClass.PAID, sooner, 10), new Lot(LotClass.FREE, later, 10), free(5)),
                stars.breakdown());
        assertEquals(
                SpendOrder.EXPIRING_FIRST,
                ledger.assets().stream()
                        .filter(a -> a.code().equals("STARS"))
                        .findFirst()
                        .orElseThrow()
                        .spendOrder());
    }

    @Test
    void creditsOfOneClassAndExpiryMergeIntoOneLot() {
        Instant expiry = soon(3600);
        bonus("cy", 5, "m-1", expiry);
        bonus("cy", 7, "m-2", expiry.minusMillis(400)); // kept to the second, rounded up: the same expiry
        bonus("cy", 1, "m-3", null);
        topUp("cy", 2, "m-4", expiry);
        assertEquals(
                List.of(new Lot(LotClass.FREE, expiry, 12), new Lot(LotClass.PAID, expiry, 2), free(1)),
                ledger.lots("cy", GOLD));
        Balance balance = ledger.balance("cy", GOLD);
        assertEquals(
                List.of(new Lot(LotClass.FREE, expiry, 12), new Lot(LotClass.PAID, expiry, 2)), balance.expiring());
    }

    @Test
    void anExpiredLotIsNeverSpentAndLeavesAsBreakageOnceByTheNextWrite() throws InterruptedException {
        Instant expiry = soon(2);
        bonus("di", 500, "e-1", expiry);
        topUp("di", 100, "e-2", null);
        sleepUntil(expiry);
        // before any write or sweep: the balance no longer counts the expired coins
        assertEquals(100, ledger.balance("di", GOLD).balance());
        WalletException refused =
                assertThrows(WalletException.class, () -> ledger.spend(Operation.spend("di", GOLD, 101, "e-3")));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, refused.code());
        // that refusal's write posted the expiry on its way
        TransactionResult expiry1 = ledger.transactionByReference(
                        "wallet-ledger:lot-expiry:" + walletOf("di", Lot.accountOf(LotClass.FREE, expiry)))
                .orElseThrow();
        assertEquals(OperationType.LOT_EXPIRY, expiry1.type());
        assertEquals(500, expiry1.amount());
        assertEquals(500, credited(expiry1, SystemWallet.BREAKAGE));
        TransactionResult spend = ledger.spend(Operation.spend("di", GOLD, 100, "e-4"));
        assertEquals(List.of(paid(100)), spend.breakdown(), "never the expired lot");
        assertEquals(0, ledger.expireLots(100), "posted once: nothing left to expire");
    }

    @Test
    void theSweepExpiresLotsOfWalletsNoOneWritesTo() throws InterruptedException {
        Instant expiry = soon(2);
        for (int i = 0; i < 5; i++) {
            bonus("sw-" + i, 10 + i, "sw-" + i, expiry);
        }
        sleepUntil(expiry);
        assertEquals(3, ledger.expireLots(3), "up to the limit");
        assertEquals(2, ledger.expireLots(100), "then the rest");
        assertEquals(0, ledger.expireLots(100));
        for (int i = 0; i < 5; i++) {
            assertEquals(0, ledger.balance("sw-" + i, GOLD).balance());
            assertEquals(List.of(), ledger.lots("sw-" + i, GOLD));
        }
    }

    @Test
    void aRefundReturnsCoinsToTheirLotsAndAnExpiredLotsPartToBreakage() throws InterruptedException {
        Instant expiry = soon(2);
        bonus("ed", 30, "r-1", expiry);
        topUp("ed", 100, "r-2", null);
        TransactionResult spend = ledger.spend(Operation.spend("ed", GOLD, 50, "r-3"));
        assertEquals(List.of(new Lot(LotClass.FREE, expiry, 30), paid(20)), spend.breakdown());
        // a partial refund gives back the last coins spent first: paid
        TransactionResult first =
                ledger.reverse(new Operation.Reversal(spend.transactionId(), "r-4", OptionalLong.of(10), null, null));
        assertEquals(List.of(paid(10)), first.breakdown());
        sleepUntil(expiry);
        TransactionResult rest =
                ledger.reverse(new Operation.Reversal(spend.transactionId(), "r-5", OptionalLong.empty(), null, null));
        assertEquals(40, rest.amount());
        assertEquals(List.of(paid(10)), rest.breakdown(), "the expired lot's 30 do not come back to life");
        assertEquals(30, credited(rest, SystemWallet.BREAKAGE));
        assertEquals(100, ledger.balance("ed", GOLD).balance());
    }

    @Test
    void aTransferKeepsTheCoinsClassAndExpiry() {
        Instant expiry = soon(3600);
        bonus("fa", 20, "t-1", expiry);
        topUp("fa", 50, "t-2", null);
        TransactionResult transfer = ledger.transfer(new Operation.Transfer("fa", "gil", GOLD, 30, "t-3", null));
        assertEquals(List.of(new Lot(LotClass.FREE, expiry, 20), paid(10)), transfer.breakdown());
        assertEquals(List.of(new Lot(LotClass.FREE, expiry, 20), paid(10)), ledger.lots("gil", GOLD));
        TransactionResult back = ledger.reverse(
                new Operation.Reversal(transfer.transactionId(), "t-4", OptionalLong.empty(), null, null));
        assertEquals(30, back.amount());
        assertEquals(List.of(new Lot(LotClass.FREE, expiry, 20), paid(50)), ledger.lots("fa", GOLD));
        assertEquals(List.of(), ledger.lots("gil", GOLD));
    }

    @Test
    void aHoldReservesLotsAndItsCaptureSplitsRevenueFromPromo() {
        bonus("ho", 30, "h-1", null);
        topUp("ho", 100, "h-2", null);
        TransactionResult held = ledger.hold(Operation.Hold.expiringIn("ho", GOLD, 50, "h-3", 600));
        assertEquals(List.of(free(30), paid(20)), held.breakdown());
        UUID hold = held.holdId().orElseThrow();
        TransactionResult capture =
                ledger.capture(new Operation.Capture(hold, "h-4", OptionalLong.of(40), true, null, null));
        assertEquals(List.of(free(30), paid(10)), capture.breakdown(), "the hold's coins in the order it took them");
        assertEquals(10, credited(capture, SystemWallet.REVENUE));
        assertEquals(30, credited(capture, SystemWallet.PROMO_REDEEMED));
        assertEquals(10, capture.released());
        Balance balance = ledger.balance("ho", GOLD);
        assertEquals(90, balance.paid(), "the rest of the hold back to its paid lot");
        assertEquals(0, balance.held());
        // refunding the capture returns the paid coins first (the last captured), to their lots
        TransactionResult refund = ledger.reverse(
                new Operation.Reversal(capture.transactionId(), "h-5", OptionalLong.empty(), null, null));
        assertEquals(List.of(paid(10), free(30)), refund.breakdown());
        assertEquals(130, ledger.balance("ho", GOLD).balance());
    }

    @Test
    void heldCoinsDoNotExpireWhileHeldAndExpireAtRelease() throws InterruptedException {
        Instant expiry = soon(2);
        bonus("hx", 40, "x-1", expiry);
        topUp("hx", 10, "x-2", null);
        UUID hold = ledger.hold(Operation.Hold.expiringIn("hx", GOLD, 45, "x-3", 600))
                .holdId()
                .orElseThrow();
        sleepUntil(expiry);
        assertEquals(45, ledger.balance("hx", GOLD).held(), "still held past the lot's expiry");
        TransactionResult voided = ledger.voidHold(new Operation.VoidHold(hold, "x-4", null));
        assertEquals(45, voided.released());
        assertEquals(40, credited(voided, SystemWallet.BREAKAGE), "the expired lot's part, at release");
        assertEquals(10, ledger.balance("hx", GOLD).balance());
    }

    @Test
    void aChargebackRecoversPaidCoinsFirst() {
        TransactionResult topUp = topUp("ch", 100, "c-1", null);
        bonus("ch", 50, "c-2", null);
        ledger.spend(Operation.spend("ch", GOLD, 120, "c-3")); // 50 free, 70 paid: 30 paid left
        bonus("ch", 40, "c-4", null);
        TransactionResult chargeback = ledger.chargeBack(new Operation.Chargeback(
                topUp.transactionId(), "c-5", OptionalLong.of(60), ChargebackPolicy.WRITE_OFF, null));
        assertEquals(List.of(paid(30), free(30)), chargeback.breakdown(), "paid coins first, then free");
        assertEquals(60, chargeback.recovered());
        assertEquals(10, ledger.balance("ch", GOLD).balance());
    }

    @Test
    void anExpiryInThePastIsRefusedAndNothingIsWritten() {
        WalletException refused = assertThrows(
                WalletException.class,
                () -> bonus("pa", 10, "p-1", Instant.now().minusSeconds(5)));
        assertEquals(ErrorCode.VALIDATION_FAILED, refused.code());
        assertTrue(ledger.transactionByReference("p-1").isEmpty());
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(
                                WalletException.class,
                                () -> Operation.of(OperationType.SPEND, "pa", GOLD, 1, "p-2", null, null, soon(60)))
                        .code(),
                "a spend takes no expiry");
    }

    private static long credited(TransactionResult result, SystemWallet role) {
        return result.entries().stream()
                .filter(e -> e.walletKind() == WalletKind.SYSTEM && e.owner().equals(role.name()))
                .mapToLong(e -> e.direction() == Direction.CREDIT ? e.amount() : -e.amount())
                .sum();
    }

    private long walletOf(String user, String account) {
        return ledger
                .transaction(ledger.history(user, GOLD, null, 50).items().stream()
                        .filter(i -> i.account().equals(account))
                        .findFirst()
                        .orElseThrow()
                        .transactionId())
                .orElseThrow()
                .entries()
                .stream()
                .filter(e -> e.walletKind() == WalletKind.USER && e.account().equals(account))
                .findFirst()
                .orElseThrow()
                .walletId();
    }
}
