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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first outcome of a request is bound to its reference id, a refusal like a success: what a retry is told,
 * through single calls, batches, the coalescer and several ledgers on one database.
 */
class ExactlyOnceTest {
    private TestLedger t;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void everyRefusalReachedInExecutionIsBoundAndReplayed() {
        TransactionResult funded = ledger.topUp(Operation.topUp("ann", "GOLD_COINS", 100, "fund"));
        ledger.reverse(new Operation.Reversal(funded.transactionId(), "undo-part", OptionalLong.of(90), null, null));
        List<Operation> refused = List.of(
                Operation.spend("ann", "GOLD_COINS", 500, "short"), // INSUFFICIENT_FUNDS
                Operation.spend("nobody", "GOLD_COINS", 1, "no-wallet"), // WALLET_NOT_FOUND
                Operation.topUp("ann", "RUBIES", 1, "no-asset"), // ASSET_NOT_FOUND
                new Operation.Reversal(UUID.randomUUID(), "no-original", OptionalLong.empty(), null, null),
                new Operation.Reversal(funded.transactionId(), "too-much", OptionalLong.of(50), null, null),
                new Operation.Chargeback(
                        ledger.transactionByReference("undo-part").orElseThrow().transactionId(),
                        "of-a-reversal",
                        OptionalLong.empty(),
                        ChargebackPolicy.DEBT,
                        null));
        List<ErrorCode> codes = List.of(
                ErrorCode.INSUFFICIENT_FUNDS,
                ErrorCode.WALLET_NOT_FOUND,
                ErrorCode.ASSET_NOT_FOUND,
                ErrorCode.TRANSACTION_NOT_FOUND,
                ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                ErrorCode.NOT_REVERSIBLE);
        List<WalletException> first = new ArrayList<>();
        for (int i = 0; i < refused.size(); i++) {
            Operation operation = refused.get(i);
            WalletException e = assertThrows(WalletException.class, () -> ledger.apply(operation));
            assertEquals(codes.get(i), e.code(), operation.referenceId());
            assertFalse(e.replayed());
            assertTrue(e.code().binds());
            first.add(e);
        }
        // What made each refusal is gone now: funds, the wallet, the asset. The answers stay.
        ledger.topUp(Operation.topUp("ann", "GOLD_COINS", 1_000, "fund-more"));
        ledger.topUp(Operation.topUp("nobody", "GOLD_COINS", 5, "nobody-funded"));
        ledger.addAsset(new Asset("RUBIES", "Rubies", 0));
        for (int i = 0; i < refused.size(); i++) {
            Operation operation = refused.get(i);
            WalletException again = assertThrows(WalletException.class, () -> ledger.apply(operation));
            assertTrue(again.replayed(), operation.referenceId());
            assertEquals(first.get(i).code(), again.code());
            assertEquals(first.get(i).getMessage(), again.getMessage());
            assertEquals(first.get(i).details(), again.details());
        }
        assertEquals(1_010, ledger.balance("ann", "GOLD_COINS").balance());
        AuditReport audit = ledger.verify();
        assertTrue(audit.consistent(), audit.toString());
        assertTrue(audit.holds(AuditCheck.REFERENCES));
    }

    @Test
    void aDifferentRequestUnderARefusedReferenceIsAConflict() {
        ledger.topUp(Operation.topUp("bo", "GOLD_COINS", 10, "fund"));
        assertThrows(WalletException.class, () -> ledger.spend(Operation.spend("bo", "GOLD_COINS", 20, "buy")));
        WalletException conflict = assertThrows(
                WalletException.class,
                () -> ledger.spend(new Operation.Spend("bo", "GOLD_COINS", 5, "buy", "item", Metadata.empty())));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, conflict.code());
        assertEquals(List.of("amount", "item_id"), conflict.details().get("fields"));
        assertFalse(conflict.replayed());
        WalletException otherType =
                assertThrows(WalletException.class, () -> ledger.topUp(Operation.topUp("bo", "GOLD_COINS", 20, "buy")));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, otherType.code());
        assertEquals(10, ledger.balance("bo", "GOLD_COINS").balance());
    }

    @Test
    void whatNeverReachesExecutionBindsNothing() {
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> Operation.topUp("cy", "GOLD_COINS", 0, "early"))
                        .code());
        assertEquals(
                5, ledger.topUp(Operation.topUp("cy", "GOLD_COINS", 5, "early")).balanceAfter());
    }

    @Test
    void anIndependentBatchBindsEachOutcomeAndItsRetryIsToldThemAgain() {
        ledger.topUp(Operation.topUp("di", "GOLD_COINS", 100, "fund"));
        List<Operation> operations = List.of(
                Operation.spend("di", "GOLD_COINS", 60, "b-1"),
                Operation.spend("di", "GOLD_COINS", 60, "b-2"), // refused: 40 left
                Operation.spend("di", "GOLD_COINS", 60, "b-2"), // the same reference again, in the same batch
                Operation.topUp("di", "GOLD_COINS", 1, "b-3"));
        BatchResult first = ledger.submit(Batch.independent(operations));
        assertEquals(List.of(false, true, true, false), refusedFlags(first));
        WalletException refusal = ((Outcome.Refused) first.outcomes().get(1)).error();
        assertFalse(refusal.replayed());
        assertTrue(((Outcome.Refused) first.outcomes().get(2)).error().replayed(), "the repeat within the batch");
        ledger.topUp(Operation.topUp("di", "GOLD_COINS", 500, "fund-more"));
        BatchResult again = ledger.submit(Batch.independent(operations));
        assertEquals(List.of(false, true, true, false), refusedFlags(again));
        for (Outcome outcome : again.outcomes()) {
            assertTrue(
                    outcome instanceof Outcome.Applied applied
                            ? applied.result().replayed()
                            : ((Outcome.Refused) outcome).error().replayed(),
                    outcome.toString());
        }
        assertEquals(
                refusal.getMessage(),
                ((Outcome.Refused) again.outcomes().get(1)).error().getMessage());
        assertEquals(541, ledger.balance("di", "GOLD_COINS").balance());
    }

    @Test
    void anAtomicBatchRefusedAtOneOperationBindsThatOneAlone() {
        ledger.topUp(Operation.topUp("ed", "GOLD_COINS", 100, "fund"));
        List<Operation> operations = List.of(
                Operation.topUp("ed", "GOLD_COINS", 5, "a-1"),
                Operation.spend("ed", "GOLD_COINS", 500, "a-2"),
                Operation.spend("ed", "GOLD_COINS", 1, "a-3"));
        WalletException first = assertThrows(WalletException.class, () -> ledger.submit(Batch.atomic(operations)));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, first.code());
        assertEquals(1, first.details().get("index"));
        assertFalse(first.replayed());
        assertEquals(100, ledger.balance("ed", "GOLD_COINS").balance(), "nothing applied");

        ledger.topUp(Operation.topUp("ed", "GOLD_COINS", 1_000, "fund-more"));
        WalletException again = assertThrows(WalletException.class, () -> ledger.submit(Batch.atomic(operations)));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, again.code());
        assertTrue(again.replayed());
        assertEquals(first.getMessage(), again.getMessage());
        assertEquals(1, again.details().get("index"));
        WalletException alone =
                assertThrows(WalletException.class, () -> ledger.spend((Operation.Spend) operations.get(1)));
        assertTrue(alone.replayed());
        // The batch's other references were not used: nothing was applied under them.
        assertFalse(ledger.topUp((Operation.TopUp) operations.get(0)).replayed());
        assertFalse(ledger.spend((Operation.Spend) operations.get(2)).replayed());
        assertEquals(1_104, ledger.balance("ed", "GOLD_COINS").balance());
        assertTrue(ledger.verify().consistent());
    }

    /**
     * Several ledgers on one database (nodes), each sent the same requests at once: one spend that fits and one
     * that does not until a top-up sent among them lands, each under one reference. Every answer to a reference is its one outcome (the first, or a
     * replay of it), and the ledger holds exactly that.
     */
    @Test
    void attemptsOnSeveralNodesAreToldOneOutcomePerReference() throws Exception {
        long seed = Seeds.seed("ExactlyOnceTest.nodes");
        Random random = new Random(seed);
        int nodes = 3;
        List<Ledger> ledgers = new ArrayList<>();
        List<TestLedger> extra = new ArrayList<>();
        ledgers.add(ledger);
        for (int i = 1; i < nodes; i++) {
            TestLedger node = TestDatabase.sameSchema(t, random.nextBoolean() ? 4 : 0, 8);
            extra.add(node);
            ledgers.add(node.ledger());
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            for (int round = 0; round < 20; round++) {
                String user = "node-user-" + round;
                long funds = 50 + random.nextInt(100);
                ledger.topUp(Operation.topUp(user, "GOLD_COINS", funds, "fund-" + round));
                List<Operation> requests = List.of(
                        Operation.spend(user, "GOLD_COINS", funds - random.nextInt(10), "fits-" + round),
                        Operation.spend(user, "GOLD_COINS", funds + 1 + random.nextInt(10), "too-much-" + round));
                // (the two together never fit: at most funds + 20 arrive, and they ask for more than that)
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> answers = new ArrayList<>();
                List<String> askedFor = new ArrayList<>();
                Future<TransactionResult> fundingDone = null;
                int fundingAt = random.nextInt(12); // a top-up among the attempts: the spend too big may then fit
                for (int attempt = 0; attempt < 12; attempt++) {
                    if (attempt == fundingAt) {
                        Ledger node = ledgers.get(random.nextInt(nodes));
                        Operation funding = Operation.topUp(user, "GOLD_COINS", 20, "more-" + round);
                        fundingDone = pool.submit(() -> {
                            go.await();
                            return node.apply(funding);
                        });
                    }
                    Operation request = requests.get(random.nextInt(requests.size()));
                    Ledger node = ledgers.get(random.nextInt(nodes));
                    boolean asBatch = random.nextInt(4) == 0;
                    askedFor.add(request.referenceId());
                    answers.add(pool.submit(() -> {
                        go.await();
                        return answer(node, request, asBatch);
                    }));
                }
                go.countDown();
                fundingDone.get(30, TimeUnit.SECONDS);
                Map<String, Set<String>> byReference = new java.util.TreeMap<>();
                for (int i = 0; i < answers.size(); i++) {
                    byReference
                            .computeIfAbsent(askedFor.get(i), k -> new HashSet<>())
                            .add(answers.get(i).get(30, TimeUnit.SECONDS));
                }
                String context = "seed " + seed + " round " + round + ": " + byReference;
                for (Map.Entry<String, Set<String>> answered : byReference.entrySet()) {
                    assertEquals(1, answered.getValue().size(), "one outcome per reference; " + context);
                    boolean applied =
                            ledger.transactionByReference(answered.getKey()).isPresent();
                    assertEquals(
                            applied,
                            answered.getValue().iterator().next().startsWith("applied"),
                            "the answers agree with the ledger; " + context);
                }
            }
            AuditReport audit = ledger.verify();
            assertTrue(audit.consistent(), "seed " + seed + ": " + audit);
        } finally {
            pool.shutdownNow();
            for (TestLedger node : extra) {
                node.ledger().close();
                node.dataSource().close();
            }
        }
    }

    /** The outcome, without whether it was a replay: "applied <transaction id>" or the refusal's code. */
    private static String answer(Ledger node, Operation request, boolean asBatch) {
        if (asBatch) {
            Outcome outcome =
                    node.submit(Batch.independent(List.of(request))).outcomes().get(0);
            return outcome instanceof Outcome.Applied applied
                    ? "applied " + applied.result().transactionId()
                    : ((Outcome.Refused) outcome).error().code().name();
        }
        try {
            return "applied " + node.apply(request).transactionId();
        } catch (WalletException e) {
            assertInstanceOf(WalletException.class, e);
            return e.code().name();
        }
    }

    private static List<Boolean> refusedFlags(BatchResult result) {
        return result.outcomes().stream().map(o -> o instanceof Outcome.Refused).toList();
    }
}
