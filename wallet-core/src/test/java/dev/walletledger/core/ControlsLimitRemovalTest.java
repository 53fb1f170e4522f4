package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A limit given as {@link ControlsChange.Limit#NONE} removes it, and one left out is kept: the two must not look
 * alike (they did: a removal was read as "keep", recorded nothing, and the wallet stayed capped).
 */
class ControlsLimitRemovalTest {
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

    private WalletControls set(Optional<ControlsChange.Limit> max, Optional<ControlsChange.Limit> daily, String why) {
        return ledger.setControls(new ControlsChange("dora", GOLD, Optional.empty(), max, daily, why), "ops");
    }

    @Test
    void noneRemovesALimitAndLeavingItOutKeepsIt() {
        set(Optional.of(ControlsChange.Limit.of(100)), Optional.of(ControlsChange.Limit.of(50)), "caps");
        WalletControls uncapped = set(Optional.of(ControlsChange.Limit.NONE), Optional.empty(), "vip");
        assertEquals(OptionalLong.empty(), uncapped.maxBalance());
        assertEquals(OptionalLong.of(50), uncapped.dailySpendLimit());
        ledger.topUp(Operation.topUp("dora", GOLD, 1_000, "t1")); // above the old maximum: it is gone
        WalletControls free = set(Optional.empty(), Optional.of(ControlsChange.Limit.NONE), "no daily limit");
        assertEquals(OptionalLong.empty(), free.dailySpendLimit());
        ledger.spend(Operation.spend("dora", GOLD, 500, "s1"));
        assertEquals(0, ledger.controls("dora", GOLD).spentToday());
        assertEquals(
                List.of("no daily limit", "vip", "caps"),
                ledger.controlsHistory("dora", GOLD).stream()
                        .map(c -> c.reason().orElseThrow())
                        .toList());
    }
}
