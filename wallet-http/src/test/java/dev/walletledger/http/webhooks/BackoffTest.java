package dev.walletledger.http.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wait between attempts: full jitter under a ceiling that doubles per attempt and never passes the cap. */
class BackoffTest {
    @Test
    void theWaitIsARandomShareOfADoublingCeilingCappedPerAttempt() {
        long cap = 600_000;
        assertEquals(0, WebhookDispatcher.backoffMillis(0, cap, 0.0));
        assertEquals(1_000, WebhookDispatcher.backoffMillis(0, cap, 0.99999999));
        assertEquals(8_000, WebhookDispatcher.backoffMillis(3, cap, 0.99999999));
        assertEquals(cap, WebhookDispatcher.backoffMillis(20, cap, 0.99999999));
        assertEquals(cap, WebhookDispatcher.backoffMillis(Integer.MAX_VALUE, cap, 0.99999999));
        assertEquals(50, WebhookDispatcher.backoffMillis(0, 50, 0.99999999), "a cap below the base caps the base");
        Random random = new Random(Seeds.seed("BackoffTest"));
        for (int i = 0; i < 10_000; i++) {
            int attempts = random.nextInt(100);
            long wait = WebhookDispatcher.backoffMillis(attempts, cap, random.nextDouble());
            assertTrue(wait >= 0 && wait <= cap, attempts + " attempts: " + wait);
        }
    }
}
