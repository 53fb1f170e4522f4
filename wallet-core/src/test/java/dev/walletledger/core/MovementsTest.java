package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Transfers, reversals, chargebacks and adjustments through the library, on a real database. */
class MovementsTest {
    static final String GOLD = "GOLD_COINS";

    TestLedger t;
    Ledger ledger;

    @BeforeEach
    void setUp() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
    }

    @AfterEach
    void tearDown() {
        AuditReport report = ledger.verify();
        assertTrue(report.consistent(), report::toString);
        t.close();
    }

    private TransactionResult topUp(String user, long amount, String reference) {
        return ledger.topUp(Operation.topUp(user, GOLD, amount, reference));
    }

    private long balance(String user) {
        return ledger.balance(user, GOLD).balance();
    }

    private static Operation.Transfer transfer(String from, String to, long amount, String reference) {
        return new Operation.Transfer(from, to, GOLD, amount, reference, null);
    }

    private static Operation.Reversal reversal(UUID id, String reference, Long amount) {
        return new Operation.Reversal(
                id, reference, amount == null ? OptionalLong.empty() : OptionalLong.of(amount), null, null);
    }

    private static WalletException refused(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
        WalletException e = assertThrows(WalletException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void aTransferMovesCoinsAndCreatesTheRecipientsWallet() {
        topUp("ann", 500, "t-fund");
        TransactionResult r = ledger.transfer(transfer("ann", "ben", 120, "t-1"));
        assertEquals(OperationType.TRANSFER, r.type());
        assertEquals("ann", r.userId());
        assertEquals(380, r.balanceAfter());
        assertEquals(OptionalLong.of(120), r.balanceOf("ben"));
        assertEquals(
                List.of(Direction.DEBIT, Direction.CREDIT),
                r.entries().stream().map(Entry::direction).toList());
        assertEquals(380, balance("ann"));
        assertEquals(120, balance("ben"));
        assertTrue(ledger.transfer(transfer("ann", "ben", 120, "t-1")).replayed());
        WalletException conflict =
                refused(ErrorCode.IDEMPOTENCY_CONFLICT, () -> ledger.transfer(transfer("ann", "cat", 120, "t-1")));
        assertEquals(List.of("to_user_id"), conflict.details().get("fields"));
        HistoryItem seen = ledger.history("ben", GOLD, null, 10).items().get(0);
        assertEquals("ann", seen.counterparty());
        assertEquals("ben", ledger.history("ann", GOLD, null, 10).items().get(0).counterparty());
    }

    @Test
    void aTransferIsRefusedForTheSameUserAMissingSenderOrShortFunds() {
        WalletException same = refused(ErrorCode.VALIDATION_FAILED, () -> transfer("ann", "ann", 1, "x"));
        assertEquals("to_user_id", same.details().get("field"));
        refused(ErrorCode.WALLET_NOT_FOUND, () -> ledger.transfer(transfer("nobody", "ben", 1, "t-2")));
        topUp("ann", 10, "t-fund");
        WalletException shortOf =
                refused(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.transfer(transfer("ann", "ben", 11, "t-3")));
        assertEquals(10L, shortOf.details().get("balance"));
        assertTrue(ledger.transactionByReference("t-3").isEmpty(), "a refusal leaves the reference free");
        assertEquals(10, balance("ann"));
    }

    @Test
    void aSpendsReversalCreditsTheUserFromRevenueInParts() {
        topUp("ann", 1_000, "r-fund");
        TransactionResult spend = ledger.spend(Operation.spend("ann", GOLD, 300, "r-spend"));
        TransactionResult part = ledger.reverse(reversal(spend.transactionId(), "r-1", 100L));
        assertEquals(OperationType.REVERSAL, part.type());
        assertEquals(spend.transactionId(), part.reverses());
        assertEquals(800, part.balanceAfter());
        assertEquals("REVENUE", part.entries().get(1).owner());
        assertEquals(Direction.DEBIT, part.entries().get(1).direction());
        WalletException tooMuch = refused(
                ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                () -> ledger.reverse(reversal(spend.transactionId(), "r-2", 201L)));
        assertEquals(200L, tooMuch.details().get("remaining"));
        TransactionResult rest = ledger.reverse(reversal(spend.transactionId(), "r-3", null));
        assertEquals(200, rest.amount());
        assertEquals(1_000, balance("ann"));
        refused(
                ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                () -> ledger.reverse(reversal(spend.transactionId(), "r-4", null)));
        TransactionResult read = ledger.transaction(spend.transactionId()).orElseThrow();
        assertEquals(0, read.reversibleAmount());
        assertEquals(
                List.of(part.transactionId(), rest.transactionId()),
                read.reversals().stream()
                        .map(TransactionResult.Reversal::transactionId)
                        .toList());
        assertEquals(
                rest.transactionId(),
                ledger.history("ann", GOLD, null, 1).items().get(0).transactionId());
        assertEquals(
                spend.transactionId(),
                ledger.history("ann", GOLD, null, 1).items().get(0).reverses());
        // a replay of the defaulted reversal answers the original, not "what remains now" (nothing)
        assertTrue(ledger.reverse(reversal(spend.transactionId(), "r-3", null)).replayed());
        refused(ErrorCode.NOT_REVERSIBLE, () -> ledger.reverse(reversal(rest.transactionId(), "r-5", null)));
        refused(ErrorCode.TRANSACTION_NOT_FOUND, () -> ledger.reverse(reversal(UUID.randomUUID(), "r-6", null)));
    }

    @Test
    void aTopUpsReversalNeedsTheCoinsAndATransfersMovesThemBack() {
        TransactionResult top = topUp("ann", 100, "x-top");
        ledger.spend(Operation.spend("ann", GOLD, 80, "x-spend"));
        WalletException gone =
                refused(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.reverse(reversal(top.transactionId(), "x-1", null)));
        assertEquals(20L, gone.details().get("balance"));
        TransactionResult partial = ledger.reverse(reversal(top.transactionId(), "x-2", 20L));
        assertEquals(0, partial.balanceAfter());
        assertEquals("TREASURY", partial.entries().get(1).owner());

        topUp("ben", 50, "x-fund");
        TransactionResult gift = ledger.transfer(transfer("ben", "cat", 30, "x-gift"));
        TransactionResult back = ledger.reverse(reversal(gift.transactionId(), "x-back", null));
        assertEquals("ben", back.userId());
        assertEquals(50, balance("ben"));
        assertEquals(0, balance("cat"));
    }

    @Test
    void aChargebackUnderDebtPolicyTakesTheBalanceNegativeAndLaterCreditsRepayIt() {
        TransactionResult top = topUp("ann", 1_000, "c-top");
        ledger.spend(Operation.spend("ann", GOLD, 700, "c-spend"));
        TransactionResult chargeback = ledger.chargeBack(new Operation.Chargeback(
                top.transactionId(), "c-1", OptionalLong.empty(), ChargebackPolicy.DEBT, null));
        assertEquals(OperationType.CHARGEBACK, chargeback.type());
        assertEquals(1_000, chargeback.amount());
        assertEquals(300, chargeback.recovered());
        assertEquals(700, chargeback.shortfall());
        assertEquals(-700, chargeback.balanceAfter());
        assertEquals(-700, balance("ann"));
        WalletException blocked =
                refused(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.spend(Operation.spend("ann", GOLD, 1, "c-2")));
        assertEquals(-700L, blocked.details().get("balance"));
        refused(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.transfer(transfer("ann", "ben", 1, "c-3")));
        assertEquals(
                -200, ledger.topUp(Operation.topUp("ann", GOLD, 500, "c-4")).balanceAfter());
        refused(
                ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                () -> ledger.chargeBack(new Operation.Chargeback(
                        top.transactionId(), "c-5", OptionalLong.of(1), ChargebackPolicy.DEBT, null)));
    }

    @Test
    void aChargebackWrittenOffBooksTheShortfallAndLeavesTheUserAtZero() {
        TransactionResult top = topUp("ann", 1_000, "w-top");
        ledger.spend(Operation.spend("ann", GOLD, 1_000, "w-spend"));
        TransactionResult chargeback = ledger.chargeBack(new Operation.Chargeback(
                top.transactionId(), "w-1", OptionalLong.of(600), ChargebackPolicy.WRITE_OFF, null));
        assertEquals(0, chargeback.recovered());
        assertEquals(600, chargeback.shortfall());
        assertEquals(0, chargeback.balanceAfter());
        assertEquals(
                List.of("ann", "TREASURY", "CHARGEBACK_LOSS"),
                chargeback.entries().stream().map(Entry::owner).toList());
        assertEquals(0, chargeback.entries().get(0).amount(), "a zero posting records it on the user's chain");
        assertEquals(OptionalLong.of(0), chargeback.entries().get(0).balanceAfter());
        ledger.topUp(Operation.topUp("ann", GOLD, 100, "w-2"));
        TransactionResult rest = ledger.chargeBack(new Operation.Chargeback(
                top.transactionId(), "w-3", OptionalLong.empty(), ChargebackPolicy.WRITE_OFF, null));
        assertEquals(400, rest.amount());
        assertEquals(100, rest.recovered());
        assertEquals(300, rest.shortfall());
        assertEquals(0, balance("ann"));
        TransactionResult spend = ledger.transactionByReference("w-spend").orElseThrow();
        refused(
                ErrorCode.NOT_REVERSIBLE,
                () -> ledger.chargeBack(new Operation.Chargeback(
                        spend.transactionId(), "w-4", OptionalLong.empty(), ChargebackPolicy.DEBT, null)));
        refused(ErrorCode.NOT_REVERSIBLE, () -> ledger.reverse(reversal(rest.transactionId(), "w-5", null)));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void anAdjustmentPostsAgainstAdjustmentsAndRecordsTheOperator(Direction direction) {
        topUp("ann", 100, "a-fund");
        TransactionResult r = ledger.adjust(
                new Operation.Adjustment("ann", GOLD, direction, 40, "a-1", "ticket 4711: double charge", null),
                "operator:kim");
        assertEquals("operator:kim", r.actor());
        assertEquals(direction == Direction.CREDIT ? 140 : 60, r.balanceAfter());
        assertEquals("ADJUSTMENTS", r.entries().get(1).owner());
        TransactionResult back = ledger.reverse(reversal(r.transactionId(), "a-2", null));
        assertEquals(100, back.balanceAfter());
        WalletException noReason = refused(
                ErrorCode.VALIDATION_FAILED,
                () -> new Operation.Adjustment("ann", GOLD, direction, 1, "a-3", null, null));
        assertEquals("reason", noReason.details().get("field"));
    }

    @Test
    void anAtomicBatchSellsAnItemBetweenPlayersAllOrNothing() {
        topUp("buyer", 1_000, "s-fund");
        Batch sale = Batch.atomic(List.of(
                transfer("buyer", "seller", 900, "sale-42-price"), Operation.spend("buyer", GOLD, 100, "sale-42-fee")));
        BatchResult done = ledger.submit(sale);
        assertEquals(2, done.appliedCount());
        assertEquals(0, balance("buyer"));
        assertEquals(900, balance("seller"));

        topUp("buyer", 950, "s-fund-2");
        Batch tooDear = Batch.atomic(List.of(
                transfer("buyer", "seller", 900, "sale-43-price"), Operation.spend("buyer", GOLD, 100, "sale-43-fee")));
        WalletException e = refused(ErrorCode.INSUFFICIENT_FUNDS, () -> ledger.submit(tooDear));
        assertEquals(1, e.details().get("index"));
        assertEquals(950, balance("buyer"), "nothing of the refused sale was applied");
        assertTrue(ledger.transactionByReference("sale-43-price").isEmpty());
    }

    @ParameterizedTest
    @EnumSource(IsolationLevel.class)
    void concurrentReversalsOfOneSpendNeverReverseMoreThanIt(IsolationLevel isolation) throws Exception {
        t.close();
        t = TestDatabase.newLedger(isolation);
        ledger = t.ledger();
        topUp("ann", 1_000, "p-fund");
        TransactionResult spend = ledger.spend(Operation.spend("ann", GOLD, 100, "p-spend"));
        long seed = Seeds.seed("MovementsTest.concurrentReversals");
        Random random = new Random(seed);
        List<Callable<Long>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long amount = 1 + random.nextInt(15);
            String reference = "p-rev-" + i;
            calls.add(() -> {
                try {
                    return ledger.reverse(reversal(spend.transactionId(), reference, amount))
                            .amount();
                } catch (WalletException e) { // BUSY: conflicts outlasted the retries, nothing applied
                    assertTrue(
                            e.code() == ErrorCode.REVERSAL_EXCEEDS_ORIGINAL || e.code() == ErrorCode.BUSY,
                            e.getMessage());
                    return 0L;
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        long reversed = 0;
        try {
            for (Future<Long> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
                reversed += f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(reversed <= 100, "reversed " + reversed + " of 100 (seed " + seed + ", " + isolation + ")");
        assertEquals(1_000 - 100 + reversed, balance("ann"));
        assertEquals(
                100 - reversed,
                ledger.transaction(spend.transactionId()).orElseThrow().reversibleAmount());
    }

    @Test
    void opposingTransfersNeverDeadlock() throws Exception {
        topUp("a", 10_000, "d-a");
        topUp("b", 10_000, "d-b");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            boolean forward = i % 2 == 0;
            String reference = "d-" + i;
            calls.add(() -> ledger.transfer(transfer(forward ? "a" : "b", forward ? "b" : "a", 3, reference)) != null);
        }
        try {
            for (Future<Boolean> f : pool.invokeAll(calls, 120, TimeUnit.SECONDS)) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(20_000, balance("a") + balance("b"));
        assertEquals(10_000, balance("a"), "200 transfers each way");
        assertEquals(0, ledger.metrics().retries(), "no deadlock was retried (READ COMMITTED retries nothing else)");
    }

    @Test
    void eachMovementWorksThroughAnIndependentBatchWithOwnOutcomes() {
        TransactionResult top = topUp("ann", 100, "i-top");
        BatchResult result = ledger.submit(Batch.independent(List.of(
                transfer("ann", "ben", 10, "i-1"),
                reversal(top.transactionId(), "i-2", 500L),
                new Operation.Adjustment("ben", GOLD, Direction.CREDIT, 5, "i-3", "goodwill", null),
                new Operation.Chargeback(
                        top.transactionId(), "i-4", OptionalLong.of(50), ChargebackPolicy.DEBT, null))));
        assertInstanceOf(Outcome.Applied.class, result.outcomes().get(0));
        Outcome.Refused refused =
                assertInstanceOf(Outcome.Refused.class, result.outcomes().get(1));
        assertEquals(ErrorCode.REVERSAL_EXCEEDS_ORIGINAL, refused.error().code());
        assertInstanceOf(Outcome.Applied.class, result.outcomes().get(2));
        assertInstanceOf(Outcome.Applied.class, result.outcomes().get(3));
        assertEquals(40, balance("ann"));
        assertEquals(15, balance("ben"));
        assertFalse(ledger.transactionByReference("i-2").isPresent());
    }
}
