package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * V4's guards, tried as a superuser would (the triggers fire ALWAYS): a hold's row never drifts from its
 * transactions, its terms never change, a closed hold never reopens, and a held account always holds what its
 * open holds still hold. Then the audit sees what a careful attacker does with the triggers off.
 */
class HoldSchemaTest {
    static TestLedger t;
    static String s;
    static UUID open;
    static UUID voided;

    @BeforeAll
    static void setUp() {
        t = TestDatabase.newLedger();
        s = t.schema();
        Ledger ledger = t.ledger();
        ledger.topUp(Operation.topUp("hs", "GOLD_COINS", 1_000, "hs-fund"));
        open = ledger.hold(Operation.Hold.expiringIn("hs", "GOLD_COINS", 300, "hs-open", 600))
                .holdId()
                .orElseThrow();
        voided = ledger.hold(Operation.Hold.expiringIn("hs", "GOLD_COINS", 100, "hs-voided", 600))
                .holdId()
                .orElseThrow();
        ledger.voidHold(new Operation.VoidHold(voided, "hs-void", null));
    }

    @AfterAll
    static void tearDown() {
        t.close();
    }

    @Test
    void aHoldNeverDriftsFromItsTransactions() {
        assertRefused("UPDATE {s}.ledger_holds SET captured = captured + 1 WHERE id = '" + open + "'");
        assertRefused("UPDATE {s}.ledger_holds SET released = released + 300, status = 'VOIDED', closed_at = now()"
                + " WHERE id = '" + open + "'");
        assertRefused(
                "UPDATE {s}.ledger_holds SET expires_at = expires_at + interval '1 day' WHERE id = '" + open + "'");
        assertRefused("UPDATE {s}.ledger_holds SET status = 'OPEN', released = 0, closed_at = NULL WHERE id = '"
                + voided + "'");
        SQLException deleted = assertThrows(
                SQLException.class, () -> superuser("DELETE FROM " + s + ".ledger_holds WHERE id = '" + voided + "'"));
        assertEquals("WL001", deleted.getSQLState(), deleted.getMessage());
    }

    @Test
    void aHeldAccountHoldsWhatItsOpenHoldsHold() {
        assertRefused("UPDATE {s}.wallets SET balance = balance - 1 WHERE account = 'held' AND owner_id = 'hs'");
        assertEquals(new Balance("hs", "GOLD_COINS", 700, 0, 300), t.ledger().balance("hs", "GOLD_COINS"));
    }

    @Test
    void theAuditSeesAHoldChangedWithTheTriggersOff() throws SQLException {
        try (TestLedger other = TestDatabase.newLedger()) {
            other.ledger().topUp(Operation.topUp("ha", "GOLD_COINS", 100, "ha-fund"));
            UUID id = other.ledger()
                    .hold(Operation.Hold.expiringIn("ha", "GOLD_COINS", 60, "ha-hold", 600))
                    .holdId()
                    .orElseThrow();
            assertTrue(other.ledger().verify().holds(AuditCheck.HOLDS));
            TestDatabase.tamper(other.schema(), "UPDATE {s}.ledger_holds SET captured = 10 WHERE id = '" + id + "'");
            AuditReport report = other.ledger().verify();
            assertTrue(
                    report.violations().stream()
                            .anyMatch(v ->
                                    v.check() == AuditCheck.HOLDS && v.subject().equals("hold " + id)),
                    report.violations().toString());
        }
    }

    private static void assertRefused(String sql) {
        SQLException e = assertThrows(SQLException.class, () -> superuser(sql.replace("{s}", s)));
        assertEquals("WL002", e.getSQLState(), e.getMessage());
    }

    private static void superuser(String sql) throws SQLException {
        SchemaTest.superuser(sql);
    }
}
