package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Looking users up by the start of their id, a page at a time (the operator console's search). */
class UserSearchTest {
    private final TestLedger t = TestDatabase.newLedger();

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void aPrefixFindsEachUserOnceInCodePointOrderAndPagesToTheEnd() {
        Ledger ledger = t.ledger();
        List<String> ids =
                List.of("ann", "anna", "annb", "anne-marie", "ano", "an", "bob", "Ann", "ann\u00e9", "ann\uD83D\uDE00");
        int n = 0;
        for (String id : ids) {
            ledger.topUp(Operation.topUp(id, "GOLD_COINS", 5, "us-" + n++));
        }
        ledger.grantBonus(Operation.bonus("anna", "GOLD_COINS", 5, "us-bonus")); // a second wallet of anna's

        List<String> found = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            UserPage page = ledger.users("ann", after, 2);
            found.addAll(page.users());
            after = page.nextAfter().orElse(null);
            assertTrue(++pages <= ids.size(), "paging ends");
        } while (after != null);
        assertEquals(List.of("ann", "anna", "annb", "anne-marie", "ann\u00e9", "ann\uD83D\uDE00"), found);

        assertEquals(List.of("an", "ann"), ledger.users("an", null, 2).users());
        assertEquals(Optional.of("ann"), ledger.users("an", null, 2).nextAfter());
        assertEquals(List.of("Ann"), ledger.users("A", null, 10).users(), "ids are case-sensitive");
        assertEquals(List.of(), ledger.users("zz", null, 10).users());
    }

    @Test
    void anEmptyPrefixListsEveryUserAndNoSystemWallet() {
        Ledger ledger = t.ledger();
        ledger.topUp(Operation.topUp("u1", "GOLD_COINS", 5, "us-a"));
        ledger.topUp(Operation.topUp("u2", "GOLD_COINS", 5, "us-b"));
        UserPage page = ledger.users("", null, 100);
        assertEquals(List.of("u1", "u2"), page.users(), "TREASURY and the other system wallets are not users");
        assertEquals(Optional.empty(), page.nextAfter());
    }

    @Test
    void badLimitsAndIdsAreRefused() {
        Ledger ledger = t.ledger();
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> ledger.users("a", null, 0))
                        .code());
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> ledger.users("a", null, UserPage.LIMIT_MAX + 1))
                        .code());
        assertEquals(
                ErrorCode.VALIDATION_FAILED,
                assertThrows(WalletException.class, () -> ledger.users("x".repeat(101), null, 10))
                        .code());
    }
}
