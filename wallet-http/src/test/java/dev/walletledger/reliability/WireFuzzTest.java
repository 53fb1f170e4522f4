package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.Batch;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import dev.walletledger.http.wire.Json;
import dev.walletledger.http.wire.MalformedJsonException;
import dev.walletledger.http.wire.Requests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * R10, the wire layer under coverage-guided fuzzing (Jazzer): any bytes as a request body, parsed and
 * validated as a top-up, a bonus, a spend and a batch. The only failures allowed are the declared 400s
 * (MALFORMED_JSON, VALIDATION_FAILED); a valid request has amounts within the bounds; every error renders as
 * valid JSON (the answer a client would get). Anything else is a finding (it would be a 500).
 *
 * <p>Every build replays the committed inputs in {@code src/test/resources/dev/walletledger/reliability/
 * WireFuzzTestInputs/requestBodies/} (regression mode). Fuzzing for longer: see wallet-http/README.md, Reliability
 * section ({@code JAZZER_FUZZ=1}).
 */
class WireFuzzTest {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    /**
     * Markers of a leaked stack trace, SQL error or internal class; an answer may hold one only if the client
     * sent it. (MALFORMED_JSON messages once quoted Jackson's own, naming its classes; Json.parse now words
     * them itself.)
     */
    private static final String[] LEAKS = {
        "\tat ", "Caused by", "org.postgresql", "SQLSTATE", "dev.walletledger.", "com.fasterxml"
    };

    private String input = "";

    @FuzzTest(maxDuration = "5m")
    void requestBodies(byte[] body) throws IOException {
        input = new String(body, StandardCharsets.UTF_8);
        JsonNode tree;
        try {
            tree = Json.parse(body);
        } catch (MalformedJsonException e) {
            rendersAsJson("MALFORMED_JSON", e.getMessage());
            return;
        }
        for (OperationType type : OperationType.values()) {
            try {
                Operation operation = Requests.operation(
                        type, tree, type.takesBack() ? "0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d" : null);
                assertEquals(type, operation.type());
                String amount = operation.fields().get("amount");
                assertTrue(amount == null
                        || (Long.parseLong(amount) >= 1 && Long.parseLong(amount) <= Operation.AMOUNT_MAX));
            } catch (WalletException e) {
                declared(e);
            } catch (MalformedJsonException e) {
                rendersAsJson("MALFORMED_JSON", e.getMessage());
            }
        }
        try {
            Batch batch = Requests.batch(tree);
            assertTrue(batch.operations().size() <= Batch.SIZE_MAX);
        } catch (WalletException e) {
            declared(e);
        } catch (MalformedJsonException e) {
            rendersAsJson("MALFORMED_JSON", e.getMessage());
        }
    }

    /** A refusal of the request itself: 400 VALIDATION_FAILED naming a field, never a server-side kind. */
    private void declared(WalletException e) throws IOException {
        assertEquals(ErrorCode.Kind.INVALID, e.code().kind(), "unexpected " + e.code() + ": " + e.getMessage());
        assertTrue(e.details().get("field") instanceof String, "the refusal names its field: " + e.details());
        rendersAsJson(e.code().name(), e.getMessage(), e.details());
    }

    private void rendersAsJson(String code, String message) throws IOException {
        rendersAsJson(code, message, java.util.Map.of());
    }

    private void rendersAsJson(String code, String message, java.util.Map<String, ?> details) throws IOException {
        byte[] error = Bodies.error(code, message, details);
        JsonNode parsed = PLAIN.readTree(error);
        assertEquals(code, parsed.path("error").path("code").asText());
        String text = new String(error, StandardCharsets.UTF_8);
        for (String leak : LEAKS) {
            assertFalse(text.contains(leak) && !input.contains(leak), "an internal detail in an answer: " + text);
        }
    }
}
