package dev.walletledger.http.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.walletledger.core.WebhookRequest;
import dev.walletledger.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The Standard Webhooks signature: the scheme's published test vector, and agreement with a second implementation. */
class SignatureTest {
    @Test
    void thePublishedTestVectorSignsAsPublished() {
        byte[] key = WebhookRequest.secretBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String signature = Signature.sign(
                key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void randomMessagesSignAsAnIndependentImplementationComputes() throws Exception {
        Random random = new Random(Seeds.seed("SignatureTest"));
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[24 + random.nextInt(41)];
            random.nextBytes(key);
            byte[] body = new byte[random.nextInt(2_000)];
            random.nextBytes(body);
            String id = "evt_" + random.nextInt(1_000_000);
            long timestamp = 1_600_000_000L + random.nextInt(200_000_000);
            assertEquals(
                    expected("whsec_" + Base64.getEncoder().encodeToString(key), id, timestamp, body),
                    Signature.sign(key, id, timestamp, body));
        }
    }

    @Test
    void anyChangeToIdTimestampOrBodyChangesTheSignature() {
        byte[] key = WebhookRequest.secretBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String signature = Signature.sign(key, "evt_1", 1_700_000_000L, body);
        assertNotEquals(signature, Signature.sign(key, "evt_2", 1_700_000_000L, body));
        assertNotEquals(signature, Signature.sign(key, "evt_1", 1_700_000_001L, body));
        assertNotEquals(
                signature, Signature.sign(key, "evt_1", 1_700_000_000L, "{\"a\":2}".getBytes(StandardCharsets.UTF_8)));
    }

    /** What a receiver following the scheme computes: its own code, from the secret's text. */
    static String expected(String secret, String id, long timestamp, byte[] body) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signed = (id + "." + timestamp + "." + new String(body, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed));
    }
}
