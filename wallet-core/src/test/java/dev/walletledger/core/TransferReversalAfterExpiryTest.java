package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The reversal of a transfer whose coins came from a lot that has expired since. The transfer gave the receiver a
 * lot of the same expiry, so those coins expired on both sides: the reversal is refused {@code LOT_EXPIRED}, as a
 * spend's is when every coin it would return expired, and the receiver's other coins are never taken instead. (Found
 * by the fault suite: before the fix the reversal went through, gave the sender's part to BREAKAGE, debited the
 * receiver's own free coins, and so named the receiver as its subject.)
 */
class TransferReversalAfterExpiryTest {
    private static final String GOLD = "GOLD_COINS";

    @Test
    void aTransferReversedAfterItsLotExpiredNamesTheSenderOrIsRefused() throws InterruptedException {
        try (TestLedger t = TestDatabase.newLedger()) {
            Ledger ledger = t.ledger();
            Instant expiry = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            ledger.grantBonus(new Operation.Bonus("tra", GOLD, 20, "tr-1", null, null, expiry));
            ledger.grantBonus(new Operation.Bonus("trb", GOLD, 50, "tr-2", null, null)); // the receiver's own
            TransactionResult transfer = ledger.transfer(new Operation.Transfer("tra", "trb", GOLD, 20, "tr-3", null));
            Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 100);

            try {
                TransactionResult reversal = ledger.reverse(
                        new Operation.Reversal(transfer.transactionId(), "tr-4", OptionalLong.empty(), null, null));
                // today: "trb", with trb's own 20 free coins debited to BREAKAGE
                assertEquals("tra", reversal.userId(), "the subject of a reversal is the original's: " + reversal);
            } catch (WalletException refused) {
                assertEquals(ErrorCode.LOT_EXPIRED, refused.code(), refused.toString());
            }
            assertEquals(50, ledger.balance("trb", GOLD).balance(), "the receiver keeps its own coins");
        }
    }
}
