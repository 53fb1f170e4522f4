package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Found by {@link WireFuzzTest} (Jazzer): a JSON number whose exponent has more digits than
 * {@code BigDecimal} accepts makes Jackson throw {@code NumberFormatException}, which {@code Json.parse}
 * did not turn into MALFORMED_JSON: the server answered 500 INTERNAL_ERROR to a malformed body. Fixed in
 * {@code Json.parse}; this keeps it fixed.
 */
class HugeExponentTest {
    static final String BODY = "{\"user_id\":\"u\",\"asset_code\":\"GOLD_COINS\",\"amount\":1000e0" + "5".repeat(90)
            + "001,\"reference_id\":\"r\"}";

    @Test
    void aNumberWithAHugeExponentIsMalformedJsonNotAnInternalError() throws Exception {
        try (LedgerService service = LedgerService.start(
                TestDatabase.jdbcUrl(), TestDatabase.newSchemaName(), IsolationLevel.READ_COMMITTED, 2)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(10), 1, 10_000);
            HttpResponse<byte[]> answer = client.post("/api/v1/wallets/topup", BODY);
            assertEquals(400, answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
        }
    }
}
