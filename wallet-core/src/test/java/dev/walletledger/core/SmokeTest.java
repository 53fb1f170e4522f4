package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import org.junit.jupiter.api.Test;

class SmokeTest {
    /** The embedded major follows -Dpg.version; prove the switch took (a server of yours is what it is). */
    @Test
    void runsOnThePostgresVersionTheBuildAskedFor() throws java.sql.SQLException {
        String wanted =
                TestDatabase.target().kind() == TestDatabase.Kind.EMBEDDED ? System.getProperty("pg.version", "") : "";
        try (java.sql.Connection c = TestDatabase.superuser();
                java.sql.ResultSet r = c.createStatement().executeQuery("SHOW server_version_num")) {
            r.next();
            int major = Integer.parseInt(r.getString(1)) / 10_000;
            System.out.println("PostgreSQL server_version_num=" + r.getString(1) + " on "
                    + TestDatabase.target().description());
            if (!wanted.isEmpty()) {
                assertEquals(wanted.substring(0, wanted.indexOf('.')), Integer.toString(major));
            }
        }
    }

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
