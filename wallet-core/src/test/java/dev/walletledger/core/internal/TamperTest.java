package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A superuser rewrites history with every trigger switched off; each case must be detected, by the
 * chains alone or, when the tamperer also recomputed the hashes, by an anchor exported beforehand.
 */
class TamperTest {
    TestLedger t;
    Ledger ledger;
    Anchor anchor;
    TransactionResult aliceFirst;
    TransactionResult aliceLast;
    long alice;

    @BeforeEach
    void setUp() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
        aliceFirst = ledger.apply(Operation.topUp("alice", "GOLD_COINS", 1_000, "a-1"), "key-ops");
        ledger.apply(Operation.spend("alice", "GOLD_COINS", 200, "a-2"), "key-shop");
        // all of alice's coins are paid and never expire: one lot (main), one chain
        ledger.topUp(
                new Operation.TopUp("alice", "GOLD_COINS", 50, "a-3", "REFERRAL", Metadata.parse("{\"by\":\"bob\"}")));
        aliceLast = ledger.spend(Operation.spend("alice", "GOLD_COINS", 100, "a-4"));
        ledger.topUp(Operation.topUp("bob", "GOLD_COINS", 70, "b-1"));
        alice = aliceFirst.entries().get(0).walletId();
        anchor = ledger.anchor();
        AuditReport clean = ledger.verify(anchor, AuditProgress.NONE);
        assertTrue(clean.consistent(), clean.toString());
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void theActorIsRecordedAndReplaysKeepTheOriginalOne() {
        assertEquals("key-ops", aliceFirst.actor());
        assertEquals(
                "key-ops",
                ledger.transaction(aliceFirst.transactionId()).orElseThrow().actor());
        TransactionResult replay = ledger.apply(Operation.topUp("alice", "GOLD_COINS", 1_000, "a-1"), "someone-else");
        assertTrue(replay.replayed());
        assertEquals("key-ops", replay.actor());
    }

    @Test
    void anAnchorParsesBackAndRefusesGarbage() {
        assertEquals(anchor, Anchor.parse(anchor.toString()));
        for (String bad : List.of("", "wl1..", "wl2.1." + "0".repeat(64), "wl1.1." + "g".repeat(64), "wl1.-1.00")) {
            assertEquals(
                    ErrorCode.VALIDATION_FAILED,
                    org.junit.jupiter.api.Assertions.assertThrows(WalletException.class, () -> Anchor.parse(bad))
                            .code());
        }
    }

    @Test
    void anAmountEditedConsistentlyEverywhereBreaksTheChain() throws SQLException {
        tamper("""
                UPDATE {s}.ledger_transactions SET amount = amount + 1 WHERE reference_id = 'a-1';
                UPDATE {s}.ledger_entries SET amount = amount + 1
                 WHERE transaction_id = (SELECT id FROM {s}.ledger_transactions WHERE reference_id = 'a-1');
                UPDATE {s}.ledger_entries SET balance_after = balance_after + 1 WHERE wallet_id = %1$d;
                UPDATE {s}.wallets SET balance = balance + 1 WHERE id = %1$d
                """.formatted(alice));
        assertOnly(ledger.verify(), "hash_chain"); // every double-entry check still passes
        assertFalse(ledger.verify(anchor, AuditProgress.NONE).consistent());
    }

    @Test
    void aDeletedEntryIsDetected() throws SQLException {
        tamper("DELETE FROM {s}.ledger_entries WHERE transaction_id = '%s' AND balance_after IS NULL"
                .formatted(aliceLast.transactionId()));
        assertTrue(checks(ledger.verify()).contains("hash_chain"));
    }

    @Test
    void reorderedTransactionsBreakTheChain() throws SQLException {
        tamper("""
                UPDATE {s}.ledger_transactions SET created_at = created_at + interval '1 hour' WHERE reference_id = 'a-2';
                UPDATE {s}.ledger_transactions SET created_at = created_at - interval '1 hour' WHERE reference_id = 'a-3'
                """);
        // the events keep the transactions' first times: the events check sees the edit too
        assertOnly(ledger.verify(), "hash_chain", "time_order", "events");
    }

    @Test
    void aChangedActorBreaksTheChain() throws SQLException {
        tamper("UPDATE {s}.ledger_transactions SET actor = 'innocent' WHERE reference_id = 'a-2'");
        assertOnly(ledger.verify(), "hash_chain");
    }

    @Test
    void oneRecomputedHashInTheMiddleBreaksTheNextLink() throws SQLException {
        TransactionResult second = ledger.transactionByReference("a-2").orElseThrow();
        Operation.Spend edited = new Operation.Spend("alice", "GOLD_COINS", 200, "a-2", "free-item", null);
        byte[] previous = storedHash("a-1");
        byte[] forged = Chain.link(
                previous,
                alice,
                Chain.content(
                        second.transactionId(),
                        edited,
                        "GOLD_COINS",
                        200,
                        null,
                        second.createdAt(),
                        second.actor(),
                        second.entries()));
        tamper("""
                UPDATE {s}.ledger_transactions SET request = request || '{"item_id": "free-item"}'
                 WHERE reference_id = 'a-2';
                UPDATE {s}.ledger_entries SET chain_hash = decode('%s', 'hex')
                 WHERE balance_after IS NOT NULL
                   AND transaction_id = (SELECT id FROM {s}.ledger_transactions WHERE reference_id = 'a-2')
                """.formatted(Chain.hex(forged)));
        AuditReport report = ledger.verify();
        assertOnly(report, "hash_chain");
        assertTrue(report.violations().get(0).subject().contains("a-3"), "the link after the forged one breaks");
    }

    @Test
    void aForgedLastTransactionWithItsHeadIsCaughtOnlyByTheAnchor() throws SQLException {
        Operation.Spend edited = new Operation.Spend("alice", "GOLD_COINS", 100, "a-4", "forged", null);
        byte[] forged = Chain.link(
                storedHash("a-3"),
                alice,
                Chain.content(
                        aliceLast.transactionId(),
                        edited,
                        "GOLD_COINS",
                        100,
                        null,
                        aliceLast.createdAt(),
                        aliceLast.actor(),
                        aliceLast.entries()));
        tamper("""
                UPDATE {s}.ledger_transactions SET request = request || '{"item_id": "forged"}'
                 WHERE reference_id = 'a-4';
                UPDATE {s}.ledger_entries SET chain_hash = decode('%1$s', 'hex')
                 WHERE balance_after IS NOT NULL
                   AND transaction_id = (SELECT id FROM {s}.ledger_transactions WHERE reference_id = 'a-4');
                UPDATE {s}.wallets SET chain_head = decode('%1$s', 'hex') WHERE id = %2$d
                """.formatted(Chain.hex(forged), alice));
        assertTrue(ledger.verify().consistent(), "internally consistent: the forger recomputed everything");
        assertOnly(ledger.verify(anchor, AuditProgress.NONE), "anchor");
    }

    @Test
    void aTruncatedTailIsCaughtOnlyByTheAnchor() throws SQLException {
        tamper("DELETE FROM {s}.ledger_references WHERE reference_id = 'a-4';\n" + tailCut());
        assertTrue(ledger.verify().consistent(), "internally consistent after the cut");
        assertOnly(ledger.verify(anchor, AuditProgress.NONE), "anchor");
        assertEquals(850, ledger.balance("alice", "GOLD_COINS").balance());
    }

    /** A cut that leaves the last transaction's reference bound: a reference with no outcome. */
    @Test
    void aTruncatedTailThatKeepsItsReferenceIsCaughtByTheReferences() throws SQLException {
        tamper(tailCut());
        assertOnly(ledger.verify(), "references");
    }

    /**
     * SQL that removes alice's last transaction (a-4), with its event (which no read of the feed had numbered yet),
     * and sets her wallet back to before it, consistently.
     */
    private String tailCut() throws SQLException {
        byte[] previousHead = storedHash("a-3");
        return """
                DELETE FROM {s}.ledger_events WHERE transaction_id = '%1$s';
                DELETE FROM {s}.ledger_entries WHERE transaction_id = '%1$s';
                DELETE FROM {s}.ledger_transactions WHERE id = '%1$s';
                UPDATE {s}.wallets SET balance = balance + 100, chain_head = decode('%2$s', 'hex'),
                       last_entry_at = (SELECT created_at FROM {s}.ledger_transactions WHERE reference_id = 'a-3')
                 WHERE id = %3$d
                """.formatted(aliceLast.transactionId(), Chain.hex(previousHead), alice);
    }

    @Test
    void aTransferExtendsBothChainsAndAnEditedAmountBreaksBoth() throws SQLException {
        TransactionResult transfer =
                ledger.transfer(new Operation.Transfer("alice", "bob", "GOLD_COINS", 30, "t-1", null));
        long bob = transfer.entries().get(1).walletId();
        assertTrue(ledger.verify().consistent());
        tamper("""
                UPDATE {s}.ledger_transactions SET amount = 31, request = request || '{"amount": "31"}'
                 WHERE reference_id = 't-1';
                UPDATE {s}.ledger_entries SET amount = 31 WHERE transaction_id = '%1$s';
                UPDATE {s}.ledger_entries SET balance_after = balance_after - 1 WHERE transaction_id = '%1$s'
                   AND wallet_id = %2$d;
                UPDATE {s}.ledger_entries SET balance_after = balance_after + 1 WHERE transaction_id = '%1$s'
                   AND wallet_id = %3$d;
                UPDATE {s}.wallets SET balance = balance - 1 WHERE id = %2$d;
                UPDATE {s}.wallets SET balance = balance + 1 WHERE id = %3$d
                """.formatted(transfer.transactionId(), alice, bob));
        AuditReport report = ledger.verify();
        assertOnly(report, "hash_chain");
        assertEquals(2, report.violationCount(), "both wallets' chains break: " + report.violations());
    }

    @Test
    void aReversalTakingBackMoreThanItsOriginalIsFound() throws SQLException {
        ledger.reverse(
                new Operation.Reversal(aliceLast.transactionId(), "r-1", java.util.OptionalLong.of(40), null, null));
        tamper("UPDATE {s}.ledger_transactions SET amount = 140 WHERE reference_id = 'r-1'");
        assertTrue(
                checks(ledger.verify()).contains("reversal_total"),
                ledger.verify().toString());
    }

    @Test
    void anAnchorStaysValidAsTheLedgerGrows() {
        ledger.topUp(Operation.topUp("alice", "GOLD_COINS", 5, "later-1"));
        ledger.topUp(Operation.topUp("carol", "GOLD_COINS", 5, "later-2"));
        assertTrue(ledger.verify(anchor, AuditProgress.NONE).consistent());
        Anchor newer = ledger.anchor();
        assertTrue(newer.entryId() > anchor.entryId());
        assertTrue(ledger.verify(newer, AuditProgress.NONE).consistent());
    }

    private byte[] storedHash(String reference) throws SQLException {
        try (var connection = TestDatabase.superuser();
                var statement = connection.prepareStatement(
                        "SELECT e.chain_hash FROM " + t.schema() + ".ledger_entries e JOIN " + t.schema()
                                + ".ledger_transactions x ON x.id = e.transaction_id"
                                + " WHERE x.reference_id = ? AND e.wallet_id = " + alice)) {
            statement.setString(1, reference);
            try (var row = statement.executeQuery()) {
                row.next();
                return row.getBytes(1);
            }
        }
    }

    private void tamper(String sql) throws SQLException {
        TestDatabase.tamper(t.schema(), sql);
    }

    private static Set<String> checks(AuditReport report) {
        return report.violations().stream().map(v -> v.check().wireName()).collect(Collectors.toSet());
    }

    private static void assertOnly(AuditReport report, String... checks) {
        assertEquals(Set.of(checks), checks(report), report.violations().toString());
    }
}
