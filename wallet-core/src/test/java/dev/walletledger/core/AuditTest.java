package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** verify() against a ledger that a superuser corrupted with the triggers switched off. */
class AuditTest {
    private static TestLedger ledgerWithHistory() {
        TestLedger t = TestDatabase.newLedger();
        Ledger ledger = t.ledger();
        ledger.topUp(Operation.topUp("alice", "GOLD_COINS", 1_000, "c-1"));
        ledger.topUp(Operation.topUp("alice", "GOLD_COINS", 200, "c-2")); // one lot: the amounts below stay whole
        ledger.spend(Operation.spend("alice", "GOLD_COINS", 300, "c-3"));
        ledger.topUp(Operation.topUp("bob", "DIAMONDS", 50, "c-4"));
        assertTrue(ledger.verify().consistent());
        return t;
    }

    private static void tamper(String schema, String sql) throws SQLException {
        TestDatabase.tamper(schema, sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "user entry amount edited | UPDATE {s}.ledger_entries SET amount = amount + 1 WHERE balance_after = 1000 | transaction_balance stored_balance balance_chain",
                "system entry amount edited | UPDATE {s}.ledger_entries SET amount = 7 WHERE balance_after IS NULL AND amount = 300 | conservation transaction_balance",
                "wallet balance edited | UPDATE {s}.wallets SET balance = balance + 5 WHERE owner_id = 'bob' | conservation stored_balance",
                "entry deleted | DELETE FROM {s}.ledger_entries WHERE amount = 200 AND balance_after IS NOT NULL | transaction_balance stored_balance balance_chain",
                "transaction amount edited | UPDATE {s}.ledger_transactions SET amount = 999 WHERE reference_id = 'c-4' | transaction_shape",
                "balance_after edited | UPDATE {s}.ledger_entries SET balance_after = 1 WHERE balance_after = 1200 | balance_chain",
                "system entry given a balance | UPDATE {s}.ledger_entries SET balance_after = 0, chain_hash = sha256('x'::bytea) WHERE balance_after IS NULL AND amount = 50 | balance_chain",
                "transaction dated backwards | UPDATE {s}.ledger_transactions SET created_at = created_at - interval '1 day' WHERE reference_id = 'c-3' | time_order hash_chain",
                "overspend injected | UPDATE {s}.ledger_entries SET amount = 5000 WHERE amount = 300 | conservation transaction_shape stored_balance balance_chain",
            })
    void everyCorruptionIsReported(String name, String sql, String expectedChecks) throws SQLException {
        try (TestLedger t = ledgerWithHistory()) {
            tamper(t.schema(), sql);
            AuditReport report = t.ledger().verify();
            assertFalse(report.consistent(), name);
            Set<String> checks =
                    report.violations().stream().map(v -> v.check().wireName()).collect(Collectors.toSet());
            for (String expected : expectedChecks.trim().split(" ")) {
                assertTrue(checks.contains(expected), name + ": expected " + expected + " in " + report.violations());
            }
        }
    }

    @Test
    void progressIsToldInWalletRanges() {
        try (TestLedger t = ledgerWithHistory()) {
            List<long[]> calls = new ArrayList<>();
            AuditReport report = t.ledger().verify((done, total) -> calls.add(new long[] {done, total}));
            assertTrue(report.consistent());
            assertTrue(calls.size() >= 2, "a start and an end at least");
            long[] last = calls.get(calls.size() - 1);
            assertTrue(last[0] == last[1] && last[1] >= 11, "ends at the highest wallet id: " + last[0]);
        }
    }

    /**
     * A superuser edits an entry with the triggers off and switches them back on with a plain {@code ENABLE
     * TRIGGER ALL}: the chain shows the edit, and the guards check shows the triggers came back weaker (no
     * longer ALWAYS). A dropped trigger is reported missing.
     */
    @Test
    void guardsLeftWeakerOrDroppedAreReported() throws SQLException {
        try (TestLedger t = ledgerWithHistory()) {
            TestDatabase.tamperCarelessly(
                    t.schema(),
                    "UPDATE {s}.ledger_entries SET amount = amount WHERE id = (SELECT min(id) FROM {s}.ledger_entries)");
            AuditReport weakened = t.ledger().verify();
            List<String> guards = weakened.violations().stream()
                    .filter(v -> v.check() == AuditCheck.GUARDS)
                    .map(AuditReport.Violation::subject)
                    .toList();
            assertEquals(
                    List.of(
                            "trigger ledger_entries_append_only on ledger_entries",
                            "trigger ledger_entries_double_entry on ledger_entries",
                            "trigger ledger_entries_no_truncate on ledger_entries",
                            "trigger ledger_holds_fixed_terms on ledger_holds",
                            "trigger ledger_holds_match_inserted on ledger_holds",
                            "trigger ledger_holds_match_updated on ledger_holds",
                            "trigger ledger_holds_no_delete on ledger_holds",
                            "trigger ledger_holds_no_truncate on ledger_holds",
                            "trigger ledger_references_append_only on ledger_references",
                            "trigger ledger_references_no_truncate on ledger_references",
                            "trigger ledger_refusals_append_only on ledger_refusals",
                            "trigger ledger_refusals_bound on ledger_refusals",
                            "trigger ledger_refusals_no_truncate on ledger_refusals",
                            "trigger ledger_transactions_append_only on ledger_transactions",
                            "trigger ledger_transactions_bound on ledger_transactions",
                            "trigger ledger_transactions_have_events on ledger_transactions",
                            "trigger ledger_transactions_no_truncate on ledger_transactions",
                            "trigger ledger_transactions_shape on ledger_transactions",
                            "trigger ledger_transactions_within_controls on ledger_transactions",
                            "trigger wallets_balance_matches_entries on wallets",
                            "trigger wallets_controls_recorded on wallets",
                            "trigger wallets_count_accounts on wallets",
                            "trigger wallets_daily_spend_limit on wallets",
                            "trigger wallets_fixed_identity on wallets",
                            "trigger wallets_held_matches_holds on wallets",
                            "trigger wallets_no_delete on wallets",
                            "trigger wallets_no_truncate on wallets",
                            "trigger wallets_start_empty on wallets"),
                    guards,
                    weakened.violations().toString());
            assertTrue(weakened.violations().stream()
                    .filter(v -> v.check() == AuditCheck.GUARDS)
                    .allMatch(v -> v.detail().contains("not ALWAYS")));

            TestDatabase.execute("DROP TRIGGER asset_types_no_delete ON " + t.schema() + ".asset_types");
            AuditReport dropped = t.ledger().verify();
            assertTrue(
                    dropped.violations().stream()
                            .anyMatch(v -> v.check() == AuditCheck.GUARDS
                                    && v.subject().equals("trigger asset_types_no_delete on asset_types")
                                    && v.detail().startsWith("is missing")),
                    dropped.violations().toString());
        }
    }
}
