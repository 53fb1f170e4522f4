package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two-phase holds on a real PostgreSQL: reserve, capture, void, expiry, and what the other movements do. */
class HoldsTest {
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

    private UUID hold(String user, long amount, String reference, long seconds) {
        TransactionResult held = ledger.hold(Operation.Hold.expiringIn(user, GOLD, amount, reference, seconds));
        assertEquals(OptionalLong.of(amount), held.holdRemaining());
        return held.holdId().orElseThrow();
    }

    private static Operation.Capture capture(UUID hold, String reference, long amount, boolean last) {
        return new Operation.Capture(hold, reference, OptionalLong.of(amount), last, "sword", null);
    }

    private WalletException refused(ErrorCode code, Operation operation) {
        WalletException e = assertThrows(WalletException.class, () -> ledger.apply(operation));
        assertEquals(code, e.code(), e::getMessage);
        return e;
    }

    @Test
    void heldCoinsLeaveTheBalanceUntilCapturedOrReleased() {
        ledger.topUp(Operation.topUp("ann", GOLD, 100, "fund"));
        UUID id = hold("ann", 30, "h1", 600);
        assertEquals(new Balance("ann", GOLD, 70, 0, 30), ledger.balance("ann", GOLD));
        // Held coins are never spendable.
        refused(ErrorCode.INSUFFICIENT_FUNDS, Operation.spend("ann", GOLD, 71, "too-much"));

        TransactionResult first = ledger.capture(capture(id, "c1", 10, false));
        assertEquals(10, first.captured());
        assertEquals(0, first.released());
        assertEquals(OptionalLong.of(20), first.holdRemaining());
        assertEquals(OptionalLong.of(20), first.heldAfter());
        Hold open = ledger.hold(id).orElseThrow();
        assertEquals(Hold.Status.OPEN, open.status());
        assertEquals(20, open.remaining());

        TransactionResult last = ledger.capture(capture(id, "c2", 5, true));
        assertEquals(5, last.captured());
        assertEquals(15, last.released());
        assertEquals(OptionalLong.of(0), last.holdRemaining());
        assertEquals(new Balance("ann", GOLD, 85, 0, 0), ledger.balance("ann", GOLD));
        Hold closed = ledger.hold(id).orElseThrow();
        assertEquals(Hold.Status.CAPTURED, closed.status());
        assertEquals(15, closed.captured());
        assertEquals(15, closed.released());
        assertEquals(last.createdAt(), closed.closedAt());

        // A retried capture replays its first answer, after the hold closed.
        TransactionResult again = ledger.capture(capture(id, "c2", 5, true));
        assertTrue(again.replayed());
        assertEquals(last.transactionId(), again.transactionId());
        // A void of the closed hold is refused, and that refusal is bound to its reference.
        WalletException closedVoid = refused(ErrorCode.HOLD_CLOSED, new Operation.VoidHold(id, "v1", null));
        assertEquals("CAPTURED", closedVoid.details().get("status"));
        WalletException replay = refused(ErrorCode.HOLD_CLOSED, new Operation.VoidHold(id, "v1", null));
        assertTrue(replay.replayed());
        // The history shows the hold's postings, with the hold's id.
        assertEquals(
                id, ledger.transactionByReference("c1").orElseThrow().holdId().orElseThrow());
    }

    @Test
    void aVoidReleasesWhatRemainsAndClosesTheHoldOnce() {
        ledger.topUp(Operation.topUp("bo", GOLD, 50, "fund"));
        UUID id = hold("bo", 40, "h", 600);
        ledger.capture(capture(id, "part", 15, false));
        TransactionResult voided = ledger.voidHold(new Operation.VoidHold(id, "void", null));
        assertEquals(25, voided.released());
        assertEquals(OptionalLong.of(0), voided.holdRemaining());
        assertEquals(new Balance("bo", GOLD, 35, 0, 0), ledger.balance("bo", GOLD));
        assertEquals(Hold.Status.VOIDED, ledger.hold(id).orElseThrow().status());
        refused(ErrorCode.HOLD_CLOSED, new Operation.VoidHold(id, "void-again", null));
        refused(ErrorCode.HOLD_CLOSED, Operation.Capture.all(id, "late"));
        assertEquals(35, ledger.balance("bo", GOLD).balance());
    }

    @Test
    void refusalsNameWhatIsWrong() {
        ledger.topUp(Operation.topUp("cy", GOLD, 50, "fund"));
        UUID id = hold("cy", 20, "h", 600);
        WalletException exceeded = refused(ErrorCode.HOLD_AMOUNT_EXCEEDED, capture(id, "big", 21, true));
        assertEquals(20L, exceeded.details().get("remaining"));
        refused(ErrorCode.HOLD_NOT_FOUND, Operation.Capture.all(UUID.randomUUID(), "nothing"));
        refused(ErrorCode.INSUFFICIENT_FUNDS, Operation.Hold.expiringIn("cy", GOLD, 31, "short", 60));
        refused(ErrorCode.WALLET_NOT_FOUND, Operation.Hold.expiringIn("nobody", GOLD, 1, "none", 60));
        refused(ErrorCode.ASSET_NOT_FOUND, Operation.Hold.expiringIn("cy", "RUBIES", 1, "no-asset", 60));
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> Operation.Hold.expiringIn("cy", GOLD, 1, "x", 0))
                        .code());
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(
                                WalletException.class,
                                () -> Operation.Hold.expiringIn("cy", GOLD, 1, "x", Hold.EXPIRY_SECONDS_MAX + 1))
                        .code());
        refused(
                ErrorCode.VALIDATION_FAILED,
                new Operation.Hold(
                        "cy",
                        GOLD,
                        1,
                        "past",
                        OptionalLong.empty(),
                        Instant.now().minusSeconds(5),
                        null));
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> Operation.spend("cy", GOLD, 1, "wallet-ledger:mine"))
                        .code());
        refused(ErrorCode.VALIDATION_FAILED, new Operation.Expiry(id));
        // Nothing of that touched the balance or the hold.
        assertEquals(new Balance("cy", GOLD, 30, 0, 20), ledger.balance("cy", GOLD));
    }

    @Test
    void anExpiredHoldCannotBeCapturedAndIsReleasedOnceWhoeverGetsThereFirst() throws Exception {
        ledger.topUp(Operation.topUp("di", GOLD, 100, "fund"));
        UUID lazy = hold("di", 10, "lazy", 1);
        UUID swept = hold("di", 20, "swept", 1);
        UUID read = hold("di", 30, "read", 1);
        waitPast(ledger.hold(read).orElseThrow().expiresAt());

        // The next write to the wallet releases every expired hold before it runs.
        refused(ErrorCode.HOLD_EXPIRED, Operation.Capture.all(lazy, "too-late"));
        assertEquals(Hold.Status.EXPIRED, ledger.hold(lazy).orElseThrow().status());
        assertEquals(Hold.Status.EXPIRED, ledger.hold(swept).orElseThrow().status());
        assertEquals(new Balance("di", GOLD, 100, 0, 0), ledger.balance("di", GOLD));
        TransactionResult expiry =
                ledger.transactionByReference("wallet-ledger:expiry:" + lazy).orElseThrow();
        assertEquals(OperationType.EXPIRY, expiry.type());
        assertEquals(10, expiry.released());
        // A retry of the refused capture replays it; the sweep finds nothing left to do.
        assertTrue(assertThrows(WalletException.class, () -> ledger.apply(Operation.Capture.all(lazy, "too-late")))
                .replayed());
        assertEquals(0, ledger.expireHolds(100));
        refused(ErrorCode.HOLD_CLOSED, new Operation.VoidHold(read, "void-late", null));
    }

    @Test
    void aHoldGivenAnExpiryTimeReplaysAfterThatTimePassed() throws Exception {
        ledger.topUp(Operation.topUp("ja", GOLD, 100, "fund"));
        Operation.Hold hold = new Operation.Hold(
                "ja", GOLD, 10, "ja-h", OptionalLong.empty(), Instant.now().plusMillis(1_500), null);
        TransactionResult first = ledger.hold(hold);
        waitPast(hold.expiresAt());
        TransactionResult again = ledger.hold(hold);
        assertTrue(again.replayed());
        assertEquals(first.transactionId(), again.transactionId());
        // A new request with a time already past is still refused.
        refused(
                ErrorCode.VALIDATION_FAILED,
                new Operation.Hold("ja", GOLD, 10, "ja-h2", OptionalLong.empty(), hold.expiresAt(), null));
    }

    @Test
    void theSweepAndTheReadsReleaseExpiredHolds() throws Exception {
        ledger.topUp(Operation.topUp("ed", GOLD, 100, "fund"));
        ledger.topUp(Operation.topUp("fa", GOLD, 100, "fund-fa"));
        hold("ed", 10, "e1", 1);
        hold("ed", 20, "e2", 1);
        UUID fa = hold("fa", 5, "f1", 1);
        UUID kept = hold("fa", 5, "f2", 600);
        waitPast(Instant.now().plusSeconds(1));
        assertEquals(2, ledger.expireHolds(1)); // one wallet's worth: both of ed's
        HoldPage page = ledger.holds("fa", GOLD, null, null, 10); // releases fa's expired hold first
        assertEquals(List.of(kept, fa), page.holds().stream().map(Hold::id).toList());
        assertEquals(Hold.Status.EXPIRED, page.holds().get(1).status());
        assertEquals(
                List.of(kept),
                ledger.holds("fa", null, Hold.Status.OPEN, null, 10).holds().stream()
                        .map(Hold::id)
                        .toList());
        assertEquals(0, ledger.expireHolds(100));
        assertEquals(new Balance("ed", GOLD, 100, 0, 0), ledger.balance("ed", GOLD));
        assertEquals(new Balance("fa", GOLD, 95, 0, 5), ledger.balance("fa", GOLD));
        HoldPage first = ledger.holds("ed", null, null, null, 1);
        assertTrue(first.nextCursor().isPresent());
        HoldPage second = ledger.holds("ed", null, null, first.nextCursor().get(), 1);
        assertEquals(1, second.holds().size());
        assertFalse(second.nextCursor().isPresent());
    }

    @Test
    void theOtherMovementsUseOnlyTheSpendableBalance() {
        TransactionResult funded = ledger.topUp(Operation.topUp("gi", GOLD, 100, "fund"));
        UUID id = hold("gi", 80, "h", 600);
        refused(
                ErrorCode.INSUFFICIENT_FUNDS,
                new Operation.Adjustment("gi", GOLD, Direction.DEBIT, 30, "adj", "fix", null));
        refused(ErrorCode.INSUFFICIENT_FUNDS, new Operation.Transfer("gi", "ho", GOLD, 30, "give", null));
        // A chargeback recovers from the spendable balance only; the hold stays as it was.
        TransactionResult charged = ledger.chargeBack(new Operation.Chargeback(
                funded.transactionId(), "cb", OptionalLong.empty(), ChargebackPolicy.WRITE_OFF, null));
        assertEquals(20, charged.recovered());
        assertEquals(new Balance("gi", GOLD, 0, 0, 80), ledger.balance("gi", GOLD));
        assertEquals(Hold.Status.OPEN, ledger.hold(id).orElseThrow().status());

        // A capture's reversal refunds the captured coins to the balance, never into the hold, and at most them.
        TransactionResult captured = ledger.capture(capture(id, "cap", 50, true));
        assertEquals(new Balance("gi", GOLD, 30, 0, 0), ledger.balance("gi", GOLD));
        refused(
                ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                new Operation.Reversal(captured.transactionId(), "r-big", OptionalLong.of(51), null, null));
        TransactionResult refund =
                ledger.reverse(new Operation.Reversal(captured.transactionId(), "r", OptionalLong.empty(), null, null));
        assertEquals(50, refund.amount());
        assertEquals(new Balance("gi", GOLD, 80, 0, 0), ledger.balance("gi", GOLD));
        // The hold's own movements cannot be reversed.
        refused(ErrorCode.NOT_REVERSIBLE, new Operation.Reversal(id, "r-hold", OptionalLong.empty(), null, null));
    }

    @Test
    void holdsCapturesAndVoidsWorkInBatches() {
        ledger.topUp(Operation.topUp("iv", GOLD, 100, "fund"));
        UUID id = hold("iv", 40, "h", 600);
        WalletException atomic = assertThrows(
                WalletException.class,
                () -> ledger.submit(Batch.atomic(
                        List.of(Operation.Hold.expiringIn("iv", GOLD, 10, "b-h", 600), capture(id, "b-c", 41, true)))));
        assertEquals(ErrorCode.HOLD_AMOUNT_EXCEEDED, atomic.code());
        assertEquals(new Balance("iv", GOLD, 60, 0, 40), ledger.balance("iv", GOLD));
        BatchResult independent = ledger.submit(Batch.independent(List.of(
                Operation.Hold.expiringIn("iv", GOLD, 10, "b-h", 600),
                capture(id, "b-c2", 10, false),
                new Operation.VoidHold(id, "b-v", null),
                capture(id, "b-c3", 1, false))));
        assertEquals(3, independent.appliedCount());
        assertEquals(new Balance("iv", GOLD, 80, 0, 10), ledger.balance("iv", GOLD));
        assertEquals(Hold.Status.VOIDED, ledger.hold(id).orElseThrow().status());
    }

    /** Waits (bounded) until the database's clock, which decides expiry, is past {@code instant}. */
    static void waitPast(Instant instant) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Instant.now().isAfter(instant.plusMillis(20))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the clock did not pass " + instant);
            }
            Thread.sleep(20);
        }
    }
}
