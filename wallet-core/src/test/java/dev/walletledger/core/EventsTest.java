package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event feed on a real PostgreSQL: one event per change, in order, paged by cursor, filtered by type. */
class EventsTest {
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

    private List<Event> all(Set<String> types) {
        List<Event> events = new ArrayList<>();
        Optional<String> after = Optional.empty();
        for (int page = 0; page < 1_000; page++) {
            EventPage read = ledger.events(new EventQuery(after, types, 2, Duration.ZERO));
            events.addAll(read.events());
            if (read.events().isEmpty()) {
                return events;
            }
            after = Optional.of(read.next());
        }
        throw new AssertionError("the feed ends");
    }

    @Test
    void everyChangeIsOneEventInOrder() {
        ledger.topUp(Operation.topUp("alice", GOLD, 100, "t1"));
        ledger.spend(Operation.spend("alice", GOLD, 30, "s1"));
        TransactionResult hold = ledger.hold(Operation.Hold.expiringIn("alice", GOLD, 20, "h1", 600));
        ledger.capture(Operation.Capture.all(hold.holdId().orElseThrow(), "c1"));
        ledger.setControls(ControlsChange.status("alice", GOLD, WalletStatus.FROZEN, "fraud check"), "ops");
        ledger.setControls(ControlsChange.status("alice", GOLD, WalletStatus.FROZEN, "again"), "ops"); // no change
        ledger.setControls(ControlsChange.status("alice", GOLD, WalletStatus.ACTIVE, "cleared"), "ops");

        List<Event> events = all(Set.of());
        assertEquals(
                List.of(
                        "transaction.topup",
                        "transaction.spend",
                        "hold.placed",
                        "hold.captured",
                        "wallet.frozen",
                        "wallet.unfrozen"),
                events.stream().map(Event::type).toList());
        assertEquals(70L, events.get(1).transaction().orElseThrow().balances().get("alice"));
        assertEquals(Optional.of("ops"), events.get(4).actor());
        assertEquals(
                Optional.of("fraud check"),
                events.get(4).controls().orElseThrow().reason());
        List<Event> holds = all(Set.of("hold.placed", "hold.captured"));
        assertEquals(2, holds.size());
        EventPage end = ledger.events(new EventQuery(Optional.of(events.get(5).cursor()), Set.of(), 10, Duration.ZERO));
        assertTrue(end.events().isEmpty());
        assertEquals(ledger.eventsEnd(), end.next());
    }

    @Test
    void aRefundAfterATopUpToTheMaximumInOneBatchIsNotRefusedByTheDatabase() {
        ledger.setControls(
                new ControlsChange(
                        "erin", GOLD, Optional.empty(), Optional.of(ControlsChange.Limit.of(100)), null, "cap"),
                "ops");
        ledger.topUp(Operation.topUp("erin", GOLD, 60, "t1"));
        TransactionResult spent = ledger.spend(Operation.spend("erin", GOLD, 50, "s1"));
        BatchResult batch = ledger.submit(Batch.independent(List.of(
                Operation.topUp("erin", GOLD, 90, "t2"), // 100: the maximum, right after it
                new Operation.Reversal(
                        spent.transactionId(), "r1", null, null, Metadata.empty())))); // a refund: never capped
        assertTrue(batch.outcomes().stream().allMatch(o -> o instanceof Outcome.Applied), batch.toString());
        assertEquals(150, ledger.balance("erin", GOLD).balance());
    }

    @Test
    void theFeedIsReadAtEveryIsolationLevel() {
        for (IsolationLevel isolation : IsolationLevel.values()) {
            try (TestLedger other = TestDatabase.newLedger(isolation)) {
                other.ledger().topUp(Operation.topUp("dave", GOLD, 10, "t1"));
                other.ledger().setControls(ControlsChange.status("dave", GOLD, WalletStatus.CLOSED, "gone"), null);
                assertEquals(
                        List.of("transaction.topup", "wallet.closed"),
                        other.ledger().events(EventQuery.all()).events().stream()
                                .map(Event::type)
                                .toList(),
                        isolation.name());
                assertTrue(other.ledger().verify().consistent());
            }
        }
    }

    @Test
    void freezeRefusesSpendsButNotCreditsOrRefunds() {
        ledger.topUp(Operation.topUp("bob", GOLD, 100, "t1"));
        TransactionResult spent = ledger.spend(Operation.spend("bob", GOLD, 10, "s1"));
        ledger.setControls(ControlsChange.status("bob", GOLD, WalletStatus.FROZEN, "chargeback dispute"), "ops");
        WalletException refused =
                assertThrows(WalletException.class, () -> ledger.spend(Operation.spend("bob", GOLD, 10, "s2")));
        assertEquals(ErrorCode.WALLET_FROZEN, refused.code());
        ledger.topUp(Operation.topUp("bob", GOLD, 5, "t2"));
        ledger.reverse(new Operation.Reversal(spent.transactionId(), "r1", null, null, Metadata.empty()));
        assertEquals(105, ledger.balance("bob", GOLD).balance());
        WalletException again =
                assertThrows(WalletException.class, () -> ledger.spend(Operation.spend("bob", GOLD, 10, "s2")));
        assertTrue(again.replayed(), "a refusal is bound to its reference");
    }

    @Test
    void limitsAtTheirBoundaries() {
        ledger.setControls(
                new ControlsChange(
                        "carol",
                        GOLD,
                        Optional.empty(),
                        Optional.of(ControlsChange.Limit.of(100)),
                        Optional.of(ControlsChange.Limit.of(50)),
                        "new account"),
                "ops");
        ledger.topUp(Operation.topUp("carol", GOLD, 100, "t1")); // exactly the maximum
        WalletException over =
                assertThrows(WalletException.class, () -> ledger.topUp(Operation.topUp("carol", GOLD, 1, "t2")));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, over.code());
        assertEquals("max_balance", over.details().get("limit"));
        ledger.spend(Operation.spend("carol", GOLD, 30, "s1"));
        assertEquals(30L, ledger.controls("carol", GOLD).spentToday());
        ledger.hold(Operation.Hold.expiringIn("carol", GOLD, 20, "h1", 600)); // 50: exactly the limit
        WalletException daily =
                assertThrows(WalletException.class, () -> ledger.spend(Operation.spend("carol", GOLD, 1, "s2")));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, daily.code());
        assertEquals("daily_spend_limit", daily.details().get("limit"));
        assertEquals(50L, ledger.controls("carol", GOLD).spentToday());
    }
}
