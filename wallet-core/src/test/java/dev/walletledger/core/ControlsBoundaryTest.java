package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Controls at their boundaries: a maximum balance exactly reached and passed by one (by a transfer in, a bonus, with
 * coins held); a daily limit counting holds, transfers out and a released hold; a limit lowered below the day's
 * spend; a closed wallet refusing every user operation and letting the money owed back move; and the database
 * refusing what the controls refuse when the Java check is not there.
 */
class ControlsBoundaryTest {
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

    private void limits(String user, Long maxBalance, Long dailyLimit) {
        ledger.setControls(
                new ControlsChange(
                        user,
                        GOLD,
                        Optional.empty(),
                        Optional.ofNullable(maxBalance).map(ControlsChange.Limit::of),
                        Optional.ofNullable(dailyLimit).map(ControlsChange.Limit::of),
                        "limits"),
                "ops");
    }

    private void status(String user, WalletStatus status) {
        ledger.setControls(ControlsChange.status(user, GOLD, status, "status " + status), "ops");
    }

    private static WalletException refused(ErrorCode code, Supplier<?> write) {
        WalletException refusal = assertThrows(WalletException.class, write::get);
        assertEquals(code, refusal.code(), refusal.toString());
        WalletException again = assertThrows(WalletException.class, write::get);
        assertTrue(again.replayed() && again.code() == code, "the refusal is bound to its reference: " + again);
        return refusal;
    }

    private Operation.Transfer transfer(String from, String to, long amount, String reference) {
        return new Operation.Transfer(from, to, GOLD, amount, reference, null);
    }

    private UUID hold(String user, long amount, String reference) {
        return ledger.hold(Operation.Hold.expiringIn(user, GOLD, amount, reference, 600))
                .holdId()
                .orElseThrow();
    }

    @Test
    void maxBalanceExactlyReachedThenPassedByOne() {
        ledger.topUp(Operation.topUp("payer", GOLD, 1_000, "p-1"));
        limits("mb", 100L, null);
        ledger.transfer(transfer("payer", "mb", 60, "mb-1"));
        ledger.topUp(Operation.topUp("mb", GOLD, 40, "mb-2")); // 100: exactly the maximum
        WalletException over =
                refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.transfer(transfer("payer", "mb", 1, "mb-3")));
        assertEquals("max_balance", over.details().get("limit"));
        assertEquals(100L, ((Number) over.details().get("balance")).longValue());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.grantBonus(Operation.bonus("mb", GOLD, 1, "mb-4")));
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.topUp(Operation.topUp("mb", GOLD, 1, "mb-5")));
        UUID held = hold("mb", 30, "mb-6"); // held coins still count toward the maximum
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.topUp(Operation.topUp("mb", GOLD, 1, "mb-7")));
        ledger.voidHold(new Operation.VoidHold(held, "mb-8", null));
        TransactionResult spent = ledger.spend(Operation.spend("mb", GOLD, 10, "mb-9"));
        ledger.topUp(Operation.topUp("mb", GOLD, 10, "mb-10")); // 100 again
        // money owed back is never refused: a reversal and an adjustment may pass the maximum
        ledger.reverse(new Operation.Reversal(spent.transactionId(), "mb-11", OptionalLong.empty(), "refund", null));
        ledger.adjust(new Operation.Adjustment("mb", GOLD, Direction.CREDIT, 5, "mb-12", "goodwill", null), "ops");
        assertEquals(115, ledger.balance("mb", GOLD).balance());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.transfer(transfer("payer", "mb", 1, "mb-13")));
    }

    @Test
    void dailyLimitCountsHoldsTransfersAndReleasedHolds() {
        ledger.topUp(Operation.topUp("dl", GOLD, 1_000, "dl-1"));
        limits("dl", null, 50L);
        UUID held = hold("dl", 30, "dl-2");
        assertEquals(30, ledger.controls("dl", GOLD).spentToday());
        ledger.voidHold(new Operation.VoidHold(held, "dl-3", null)); // a released hold still counts
        assertEquals(30, ledger.controls("dl", GOLD).spentToday());
        ledger.transfer(transfer("dl", "friend", 15, "dl-4"));
        TransactionResult spend = ledger.spend(Operation.spend("dl", GOLD, 5, "dl-5")); // 50: exactly the limit
        assertEquals(50, ledger.controls("dl", GOLD).spentToday());
        WalletException over =
                refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.spend(Operation.spend("dl", GOLD, 1, "dl-6")));
        assertEquals("daily_spend_limit", over.details().get("limit"));
        assertEquals(50L, ((Number) over.details().get("spent")).longValue());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.transfer(transfer("dl", "friend", 1, "dl-7")));
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.hold(Operation.Hold.expiringIn("dl", GOLD, 1, "dl-8", 600)));
        // a refund gives no room back; credits are not limited
        ledger.reverse(new Operation.Reversal(spend.transactionId(), "dl-9", OptionalLong.empty(), "refund", null));
        ledger.topUp(Operation.topUp("dl", GOLD, 10, "dl-10"));
        assertEquals(50, ledger.controls("dl", GOLD).spentToday());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.spend(Operation.spend("dl", GOLD, 1, "dl-11")));
    }

    @Test
    void aLimitLoweredBelowTheDaysSpendStands() {
        ledger.topUp(Operation.topUp("lo", GOLD, 1_000, "lo-1"));
        limits("lo", null, 100L);
        ledger.spend(Operation.spend("lo", GOLD, 80, "lo-2"));
        limits("lo", null, 50L);
        assertEquals(80, ledger.controls("lo", GOLD).spentToday());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.spend(Operation.spend("lo", GOLD, 1, "lo-3")));
        limits("lo", null, 90L);
        ledger.spend(Operation.spend("lo", GOLD, 10, "lo-4"));
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.spend(Operation.spend("lo", GOLD, 1, "lo-5")));
        ledger.setControls(
                new ControlsChange(
                        "lo",
                        GOLD,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(ControlsChange.Limit.NONE),
                        "lifted"),
                "ops");
        assertEquals(0, ledger.controls("lo", GOLD).spentToday());
        ledger.spend(Operation.spend("lo", GOLD, 7, "lo-6"));
        limits("lo", null, 100L); // counting starts again from the day's entries: 80 + 10 + 7
        assertEquals(97, ledger.controls("lo", GOLD).spentToday());
        refused(ErrorCode.LIMIT_EXCEEDED, () -> ledger.spend(Operation.spend("lo", GOLD, 4, "lo-7")));
        ledger.spend(Operation.spend("lo", GOLD, 3, "lo-8"));
    }

    @Test
    void closedRefusesEveryUserOperationAndLetsMoneyOwedBackMove() {
        TransactionResult top = ledger.topUp(Operation.topUp("cl", GOLD, 500, "cl-1"));
        TransactionResult spent = ledger.spend(Operation.spend("cl", GOLD, 30, "cl-2"));
        UUID open = hold("cl", 50, "cl-3");
        UUID other = hold("cl", 20, "cl-4");
        ledger.topUp(Operation.topUp("peer", GOLD, 100, "cl-5"));
        status("cl", WalletStatus.CLOSED);
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.topUp(Operation.topUp("cl", GOLD, 1, "cl-r1")));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.grantBonus(Operation.bonus("cl", GOLD, 1, "cl-r2")));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.spend(Operation.spend("cl", GOLD, 1, "cl-r3")));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.transfer(transfer("cl", "peer", 1, "cl-r4")));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.transfer(transfer("peer", "cl", 1, "cl-r5")));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.hold(Operation.Hold.expiringIn("cl", GOLD, 1, "cl-r6", 600)));
        refused(ErrorCode.WALLET_CLOSED, () -> ledger.capture(Operation.Capture.all(open, "cl-r7")));
        // what is owed back always moves
        ledger.reverse(new Operation.Reversal(spent.transactionId(), "cl-6", OptionalLong.empty(), "refund", null));
        ledger.chargeBack(new Operation.Chargeback(
                top.transactionId(), "cl-7", OptionalLong.of(10), ChargebackPolicy.WRITE_OFF, null));
        ledger.adjust(new Operation.Adjustment("cl", GOLD, Direction.DEBIT, 5, "cl-8", "fee", null), "ops");
        ledger.adjust(new Operation.Adjustment("cl", GOLD, Direction.CREDIT, 3, "cl-9", "goodwill", null), "ops");
        ledger.voidHold(new Operation.VoidHold(other, "cl-10", null));
        status("cl", WalletStatus.ACTIVE);
        ledger.capture(Operation.Capture.all(open, "cl-11"));
        ledger.topUp(Operation.topUp("cl", GOLD, 1, "cl-12"));
        List<String> types = new ArrayList<>();
        for (Event event : ledger.events(new EventQuery(
                        Optional.empty(),
                        java.util.Set.of("wallet.closed", "wallet.reopened"),
                        10,
                        java.time.Duration.ZERO))
                .events()) {
            types.add(event.type());
        }
        assertEquals(List.of("wallet.closed", "wallet.reopened"), types);
    }

    @Test
    void frozenRefusesWhatTakesCoinsOutOnly() {
        ledger.topUp(Operation.topUp("fz", GOLD, 500, "fz-1"));
        ledger.topUp(Operation.topUp("peer", GOLD, 100, "fz-2"));
        UUID open = hold("fz", 50, "fz-3");
        UUID other = hold("fz", 20, "fz-4");
        status("fz", WalletStatus.FROZEN);
        refused(ErrorCode.WALLET_FROZEN, () -> ledger.spend(Operation.spend("fz", GOLD, 1, "fz-r1")));
        refused(ErrorCode.WALLET_FROZEN, () -> ledger.transfer(transfer("fz", "peer", 1, "fz-r2")));
        refused(ErrorCode.WALLET_FROZEN, () -> ledger.hold(Operation.Hold.expiringIn("fz", GOLD, 1, "fz-r3", 600)));
        ledger.topUp(Operation.topUp("fz", GOLD, 1, "fz-5"));
        ledger.grantBonus(Operation.bonus("fz", GOLD, 1, "fz-6"));
        ledger.transfer(transfer("peer", "fz", 1, "fz-7"));
        ledger.capture(Operation.Capture.all(open, "fz-8")); // a capture of a hold placed before the freeze
        ledger.voidHold(new Operation.VoidHold(other, "fz-9", null));
        assertEquals(453, ledger.balance("fz", GOLD).balance()); // 500 - 70 held + 3 credited + 20 released
    }

    /**
     * The database refuses what the controls refuse, without the Java check: as a superuser, a copy of a committed
     * transaction (its rows, its entries, its event, in one statement as the engine writes them) is inserted with
     * every trigger off but V6's controls and events checks. On the wallet the controls refuse, V6's trigger refuses
     * it; the same copy on the wallet before the change goes in (so the refusal is the controls').
     */
    @ParameterizedTest(name = "{0} refused when {1}")
    @CsvSource({
        "SPEND, FROZEN",
        "TRANSFER, FROZEN",
        "HOLD, FROZEN",
        "TOPUP, CLOSED",
        "SPEND, CLOSED",
        "CAPTURE, CLOSED",
        "TOPUP, MAX_BALANCE",
    })
    void theDatabaseRefusesWhatControlsRefuse(String type, String control) throws SQLException {
        ledger.topUp(Operation.topUp("db", GOLD, 500, "db-topup"));
        ledger.topUp(Operation.topUp("peer", GOLD, 500, "db-peer"));
        ledger.spend(Operation.spend("db", GOLD, 10, "db-spend"));
        ledger.transfer(transfer("db", "peer", 10, "db-transfer"));
        UUID held = hold("db", 40, "db-hold");
        ledger.capture(new Operation.Capture(held, "db-capture", OptionalLong.of(5), false, null, null));
        String template = "db-" + type.toLowerCase(java.util.Locale.ROOT);
        forge(template, "forged-before"); // goes in: nothing refuses it yet (rolled back)
        switch (control) {
            case "MAX_BALANCE" -> limits("db", 100L, null);
            default -> status("db", WalletStatus.valueOf(control));
        }
        SQLException refusal = assertThrows(SQLException.class, () -> forge(template, "forged-after"));
        assertEquals("WL002", refusal.getSQLState(), refusal.toString());
        assertTrue(refusal.getMessage().contains("refused by its wallet's controls"), refusal.getMessage());
    }

    /** The day's count cannot be moved past the daily limit, whatever writes it (the triggers on, as a superuser). */
    @Test
    void theDatabaseRefusesADaysCountPastTheLimit() throws SQLException {
        ledger.topUp(Operation.topUp("dc", GOLD, 1_000, "dc-1"));
        limits("dc", null, 50L);
        ledger.spend(Operation.spend("dc", GOLD, 50, "dc-2"));
        String main = "UPDATE " + t.schema() + ".wallets SET spent = %d"
                + " WHERE owner_id = 'dc' AND kind = 'USER' AND account = 'main'";
        SQLException refusal = assertThrows(SQLException.class, () -> TestDatabase.execute(main.formatted(51)));
        assertEquals("WL002", refusal.getSQLState(), refusal.toString());
        assertTrue(refusal.getMessage().contains("past its daily spend limit"), refusal.getMessage());
        assertEquals(50, ledger.controls("dc", GOLD).spentToday());
    }

    /** Inserts a copy of the transaction under {@code reference} as {@code copy}, then rolls it back. */
    private void forge(String reference, String copy) throws SQLException {
        String s = t.schema();
        try (Connection connection = TestDatabase.superuser()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                List<String> triggers = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("""
                        SELECT c.relname, t.tgname FROM pg_trigger t
                          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = '%s' AND NOT t.tgisinternal
                           AND c.relname IN ('ledger_transactions', 'ledger_entries', 'wallets', 'ledger_holds')
                           AND t.tgname NOT IN ('ledger_transactions_within_controls', 'ledger_transactions_have_events')
                        """.formatted(s))) {
                    while (rows.next()) {
                        triggers.add(
                                "ALTER TABLE " + s + "." + rows.getString(1) + " DISABLE TRIGGER " + rows.getString(2));
                    }
                }
                for (String disable : triggers) {
                    statement.execute(disable);
                }
                statement.execute("CREATE TEMP TABLE forged_t (LIKE " + s + ".ledger_transactions) ON COMMIT DROP");
                statement.execute("CREATE TEMP TABLE forged_e ON COMMIT DROP AS SELECT transaction_id, wallet_id,"
                        + " direction, amount, balance_after, chain_hash FROM " + s + ".ledger_entries WITH NO DATA");
                String[] steps = {
                    "INSERT INTO forged_t SELECT * FROM {s}.ledger_transactions WHERE reference_id = ?",
                    "UPDATE forged_t SET id = n.id, hold_id = CASE WHEN type = 'HOLD' THEN n.id ELSE hold_id END,"
                            + " reference_id = ?, created_at = clock_timestamp() FROM (SELECT gen_random_uuid() AS id) n",
                    "INSERT INTO forged_e SELECT (SELECT id FROM forged_t), e.wallet_id, e.direction, e.amount,"
                            + " e.balance_after, e.chain_hash FROM {s}.ledger_entries e"
                            + " JOIN {s}.ledger_transactions t ON t.id = e.transaction_id WHERE t.reference_id = ?"
                };
                String[] values = {reference, copy, reference};
                for (int i = 0; i < steps.length; i++) {
                    try (PreparedStatement step = connection.prepareStatement(steps[i].replace("{s}", s))) {
                        step.setString(1, values[i]);
                        step.execute();
                    }
                }
                try (ResultSet rows = statement.executeQuery("""
                        WITH t AS (INSERT INTO {s}.ledger_transactions SELECT * FROM forged_t RETURNING 1),
                             e AS (INSERT INTO {s}.ledger_entries (transaction_id, wallet_id, direction, amount,
                                               balance_after, chain_hash)
                                   SELECT * FROM forged_e RETURNING 1),
                             ev AS (INSERT INTO {s}.ledger_events (transaction_id, type, created_at)
                                    SELECT id, {s}.event_type(type), created_at FROM forged_t RETURNING 1)
                        SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM e), (SELECT count(*) FROM ev)
                        """.replace("{s}", s))) {
                    assertTrue(rows.next());
                    assertEquals(1, rows.getLong(1), "the copy of " + reference);
                    assertTrue(rows.getLong(2) >= 2, "its entries");
                }
            } finally {
                connection.rollback();
            }
        }
    }
}
