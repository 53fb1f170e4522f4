package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void topUpSpendAndReplay() {
        try (TestLedger t = TestDatabase.newLedger()) {
            Ledger ledger = t.ledger();
            TransactionResult first = ledger.topUp(Operation.topUp("user_alice", "GOLD_COINS", 10_000, "pay_1"));
            assertEquals(10_000, first.balanceAfter());
            assertFalse(first.replayed());
            TransactionResult again = ledger.topUp(Operation.topUp("user_alice", "GOLD_COINS", 10_000, "pay_1"));
            assertTrue(again.replayed());
            assertEquals(first.transactionId(), again.transactionId());
            TransactionResult spent = ledger.spend(Operation.spend("user_alice", "GOLD_COINS", 300, "buy_1"));
            assertEquals(9_700, spent.balanceAfter());
            assertEquals(9_700, ledger.balance("user_alice", "GOLD_COINS").balance());
            AuditReport report = ledger.verify();
            assertTrue(report.consistent(), report.toString());
            assertEquals(2, report.transactions());
        }
    }
}
