package dev.walletledger.http.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import dev.walletledger.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The server parses a body once, with Jackson, and hands the metadata to the core as a tree; a library user
 * hands the core text. Both must give the same canonical metadata, or refuse the same way: the same request
 * must mean the same thing, and hash the same, whichever way it came.
 */
class MetadataTreeTest {
    private static final String[] KEYS = {"a", "b", "é", "z", "10", "A", "\uD83D\uDE00", "", "k k"};

    @Test
    void aBodysTreeAndItsTextGiveTheSameMetadata() {
        long seed = Seeds.seed("MetadataTreeTest");
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            String metadata = object(random, 0);
            String body = "{\"user_id\":\"u\",\"asset_code\":\"GOLD_COINS\",\"amount\":1,\"reference_id\":\"r\","
                    + "\"metadata\":" + metadata + "}";
            String viaText = canonical(() -> Metadata.parse(metadata).json());
            String viaTree = canonical(() -> {
                JsonNode node = Json.parse(body.getBytes(StandardCharsets.UTF_8));
                Operation operation = Requests.operation(OperationType.TOPUP, node);
                return operation.metadata().json();
            });
            assertEquals(viaText, viaTree, "seed " + seed + ": " + metadata);
        }
    }

    /** The canonical text, or the refusal's code (the messages may name a position differently). */
    private static String canonical(java.util.function.Supplier<String> read) {
        try {
            return read.get();
        } catch (WalletException e) {
            return "refused " + e.code();
        } catch (MalformedJsonException e) {
            return "refused VALIDATION_FAILED";
        }
    }

    private static String object(Random random, int depth) {
        StringBuilder out = new StringBuilder("{");
        int members = random.nextInt(depth > 3 ? 2 : 4);
        for (int m = 0; m < members; m++) {
            out.append(m == 0 ? "" : ",")
                    .append(quoted(KEYS[random.nextInt(KEYS.length)] + (random.nextInt(3) == 0 ? m : "")));
            out.append(':').append(value(random, depth + 1));
        }
        return out.append('}').toString();
    }

    private static String value(Random random, int depth) {
        return switch (random.nextInt(depth > 9 ? 6 : 8)) {
            case 0 -> quoted(KEYS[random.nextInt(KEYS.length)]);
            case 1 -> Long.toString(random.nextLong() >> random.nextInt(63));
            case 2 -> number(random);
            case 3 -> random.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> quoted("x\\u00e9\\n\\\"" + random.nextInt(10));
            case 6 -> "[" + value(random, depth + 1) + "," + value(random, depth + 1) + "]";
            default -> object(random, depth);
        };
    }

    private static String number(Random random) {
        String[] forms = {
            "1.0", "1.50", "-0.0", "1e3", "1E-7", "123456789012345678901234567890", "0.000001", "2.5e400", "1e1001"
        };
        return forms[random.nextInt(forms.length)];
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }
}
