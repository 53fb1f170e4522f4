package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * The retry of an acknowledged top-up or bonus whose lot has expired since replays the original transaction, as a
 * hold's retry past its {@code expires_at} does: a client whose first answer was lost (a kill, a cut after COMMIT)
 * retries with the same request, and may well do so after a short expiry. (Found by the fault suite: before the fix
 * the retry was a 400 VALIDATION_FAILED, "expires_at must be in the future".)
 */
class LotReplayAfterExpiryTest {
    private static final String GOLD = "GOLD_COINS";

    @Test
    void aTopUpRetriedAfterItsLotExpiredReplaysTheOriginal() throws InterruptedException {
        try (TestLedger t = TestDatabase.newLedger()) {
            Ledger ledger = t.ledger();
            Instant expiry = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            Operation.TopUp topUp = new Operation.TopUp("re", GOLD, 40, "re-1", null, null, expiry);
            Operation.Bonus bonus = new Operation.Bonus("re", GOLD, 10, "re-2", null, null, expiry);
            TransactionResult first = ledger.topUp(topUp);
            TransactionResult firstBonus = ledger.grantBonus(bonus);
            Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 100);

            TransactionResult again = ledger.topUp(topUp); // today: VALIDATION_FAILED, expires_at must be in the future
            assertTrue(again.replayed());
            assertEquals(first.transactionId(), again.transactionId());
            TransactionResult bonusAgain = ledger.grantBonus(bonus);
            assertTrue(bonusAgain.replayed());
            assertEquals(firstBonus.transactionId(), bonusAgain.transactionId());
        }
    }
}
