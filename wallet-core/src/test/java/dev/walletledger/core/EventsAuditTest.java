package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * verify()'s {@code events} and {@code controls} checks against a ledger a superuser corrupted with the triggers
 * switched off (V6's tables' too): each corruption is reported by the check it breaks, with the detail that says
 * why.
 */
class EventsAuditTest {
    private static final String GOLD = "GOLD_COINS";

    /** A history with every kind of event and control: the audit holds on it before any corruption. */
    private static TestLedger ledgerWithHistory() {
        TestLedger t = TestDatabase.newLedger();
        Ledger ledger = t.ledger();
        ledger.topUp(Operation.topUp("alice", GOLD, 1_000, "a-1"));
        ledger.spend(Operation.spend("alice", GOLD, 100, "a-2"));
        ledger.transfer(new Operation.Transfer("alice", "bob", GOLD, 50, "a-3", null));
        ledger.topUp(Operation.topUp("bob", GOLD, 500, "b-1"));
        ledger.spend(Operation.spend("bob", GOLD, 10, "b-2"));
        ledger.setControls(ControlsChange.status("bob", GOLD, WalletStatus.FROZEN, "dispute"), "ops");
        ledger.setControls(ControlsChange.status("bob", GOLD, WalletStatus.ACTIVE, "cleared"), "ops");
        ledger.topUp(Operation.topUp("carol", GOLD, 300, "c-1"));
        ledger.setControls(ControlsChange.status("carol", GOLD, WalletStatus.CLOSED, "account closed"), "ops");
        ledger.setControls(
                new ControlsChange(
                        "dave",
                        GOLD,
                        Optional.empty(),
                        Optional.of(ControlsChange.Limit.of(5_000)),
                        Optional.of(ControlsChange.Limit.of(100)),
                        "new account"),
                "ops");
        ledger.topUp(Operation.topUp("dave", GOLD, 1_000, "d-1"));
        ledger.spend(Operation.spend("dave", GOLD, 30, "d-2"));
        ledger.hold(Operation.Hold.expiringIn("dave", GOLD, 20, "d-3", 600));
        ledger.sequenceEvents();
        AuditReport clean = ledger.verify();
        assertTrue(clean.consistent(), clean.violations().toString());
        return t;
    }

    /** {@link TestDatabase#tamper}, with V6's triggers off too (restored as they were after). */
    private static void tamper(String schema, String sql) throws SQLException {
        TestDatabase.tamper(schema, """
                ALTER TABLE {s}.ledger_events DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_controls DISABLE TRIGGER ALL;
                ALTER TABLE {s}.ledger_event_sequencer DISABLE TRIGGER ALL;
                """ + sql);
    }

    private static final String TX = "(SELECT id FROM {s}.ledger_transactions WHERE reference_id = '%s')";
    private static final String MAIN = "owner_id = '%s' AND kind = 'USER' AND account = 'main'";

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "transaction event deleted | DELETE FROM {s}.ledger_events WHERE transaction_id = "
                        + "TX(a-2) | events | has no event",
                "transaction event retyped | UPDATE {s}.ledger_events SET type = 'transaction.topup' WHERE transaction_id = TX(a-2) | events | not as transaction.spend",
                "transaction event redated | UPDATE {s}.ledger_events SET created_at = created_at + interval '1 second' WHERE transaction_id = TX(b-2) | events | is told by event",
                "controls event deleted | DELETE FROM {s}.ledger_events WHERE control_id = (SELECT min(id) FROM {s}.ledger_controls) | events | has no event",
                "controls event retyped | UPDATE {s}.ledger_events SET type = 'wallet.reopened' WHERE control_id = (SELECT min(id) FROM {s}.ledger_controls WHERE owner_id = 'bob' AND status = 'ACTIVE') | events | not as wallet.unfrozen",
                "event without its subject | INSERT INTO {s}.ledger_events (transaction_id, type, created_at) VALUES (gen_random_uuid(), 'transaction.topup', now()) | events | which does not exist",
                "event for a transaction twice | DROP INDEX {s}.ledger_events_transaction_key; INSERT INTO {s}.ledger_events (transaction_id, type, created_at) SELECT id, 'transaction.topup', created_at FROM {s}.ledger_transactions WHERE reference_id = 'a-1' | events | is told by 2 events",
                "a gap in the positions | UPDATE {s}.ledger_events SET position = position + 100 WHERE position = 3 | events | the sequencer gave positions 1 to",
                "an event unplaced below the end | UPDATE {s}.ledger_events SET position = NULL WHERE position = 2 | events | the sequencer gave positions 1 to",
                "the sequencer's count edited | UPDATE {s}.ledger_event_sequencer SET placed = placed + 1 | events | the sequencer gave positions 1 to",
                "the history before the feed miscounted | UPDATE {s}.ledger_event_sequencer SET transactions_before = 1 | events | were there when the feed started",
                "a wallet's events out of entry order | UPDATE {s}.ledger_events SET position = -1 WHERE position = 1; UPDATE {s}.ledger_events SET position = 1 WHERE position = 2; UPDATE {s}.ledger_events SET position = 2 WHERE position = -1 | events | whose entries come first",
                "status changed without a record | UPDATE {s}.wallets SET status = 'FROZEN' WHERE MAIN(alice) | controls | but its latest record",
                "a record never applied | INSERT INTO {s}.ledger_controls (owner_id, asset_id, status, reason, created_at) SELECT 'alice', asset_id, 'FROZEN', 'x', now() FROM {s}.wallets WHERE MAIN(alice) | controls | but its latest record",
                "limits on an account not main | ALTER TABLE {s}.wallets DROP CONSTRAINT wallets_controls_on_main; UPDATE {s}.wallets SET daily_spend_limit = 5 WHERE owner_id = 'dave' AND account = 'held' | controls | is not a user's main account",
                "the day's count edited | UPDATE {s}.wallets SET spent = spent + 1 WHERE MAIN(dave) | controls | that day sum to 50",
                "a count without a limit | UPDATE {s}.wallets SET spent = 7 WHERE MAIN(alice) | controls | without a daily spend limit",
                "a spend while frozen | UPDATE {s}.ledger_controls SET created_at = created_at - interval '1 hour' WHERE owner_id = 'bob' AND status = 'FROZEN' | controls | whose wallet was frozen",
                "a top-up while closed | UPDATE {s}.ledger_controls SET created_at = created_at - interval '1 hour' WHERE owner_id = 'carol' | controls | whose wallet was closed",
                "a spend past the daily limit | UPDATE {s}.ledger_entries SET amount = 90 WHERE transaction_id = TX(d-3) | controls | past the daily spend limit 100",
            })
    void everyCorruptionIsReported(String name, String sql, String check, String detail) throws SQLException {
        try (TestLedger t = ledgerWithHistory()) {
            String resolved = sql.replaceAll("TX\\(([^)]+)\\)", TX.replace("%s", "$1"))
                    .replaceAll("MAIN\\(([^)]+)\\)", MAIN.replace("%s", "$1"));
            tamper(t.schema(), resolved);
            AuditReport report = t.ledger().verify();
            assertFalse(report.consistent(), name);
            Set<String> checks =
                    report.violations().stream().map(v -> v.check().wireName()).collect(Collectors.toSet());
            assertTrue(checks.contains(check), name + ": expected " + check + " in " + report.violations());
            assertTrue(
                    report.violations().stream()
                            .anyMatch(v -> v.check().wireName().equals(check)
                                    && v.detail().contains(detail)),
                    name + ": expected '" + detail + "' in " + report.violations());
        }
    }
}
