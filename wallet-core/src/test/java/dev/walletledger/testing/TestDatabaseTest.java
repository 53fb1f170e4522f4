package dev.walletledger.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/** The test-database switch's refusals: they must stop a run at once and say what to do instead. */
class TestDatabaseTest {
    @Test
    void testcontainersWithoutDockerStopsAndNamesTheOtherChoices() {
        assumeFalse(ContainerTarget.dockerAnswers(), "a Docker engine answers here: the refusal cannot be shown");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> TestDatabase.start("testcontainers:postgres:16"));
        assertTrue(e.getMessage().contains("needs a Docker engine"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dwallet.test.db=embedded"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dwallet.test.db=url"), e.getMessage());
    }

    @Test
    void anUnknownChoiceIsRefusedWithTheList() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestDatabase.start("h2"));
        assertTrue(
                e.getMessage().contains("embedded") && e.getMessage().contains("testcontainers:<image>"),
                e.getMessage());
    }

    @Test
    void aDatabaseHoldingARealLedgerIsRefused() throws Exception {
        String schema = "ledger_of_someone";
        TestDatabase.execute("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".ledger_entries (id int)");
        try {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> TestDatabase.refuseForeignLedgers(TestDatabase.target()));
            assertTrue(e.getMessage().contains(schema), e.getMessage());
        } finally {
            TestDatabase.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
