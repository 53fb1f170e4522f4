package dev.walletledger.http.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.Batch;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Request bodies to core requests. The JSON tree is checked by hand so each refusal names its field;
 * the core records then check the values (lengths, characters, ranges) and name the field too.
 */
public final class Requests {
    private static final Set<String> COMMON = Set.of("user_id", "asset_code", "amount", "reference_id", "metadata");
    private static final Set<String> BATCH = Set.of("mode", "operations");

    private Requests() {}

    /** A top-up, bonus or spend body: {@code {user_id, asset_code, amount, reference_id, <detail>?, metadata?}}. */
    public static Operation operation(OperationType type, JsonNode body) {
        return operation(type, body, "", false);
    }

    /**
     * A batch body: {@code {"mode": "atomic"|"independent", "operations": [{"type": "TOPUP", ...}, ...]}}.
     * Mode defaults to atomic.
     */
    public static Batch batch(JsonNode body) {
        requireObject(body, "body");
        rejectUnknown(body, BATCH, "");
        Batch.Mode mode = Batch.Mode.ATOMIC;
        JsonNode modeNode = body.get("mode");
        if (modeNode != null && !modeNode.isNull()) {
            String text = modeNode.isTextual() ? modeNode.textValue().toUpperCase(Locale.ROOT) : "";
            if (!text.equals("ATOMIC") && !text.equals("INDEPENDENT")) {
                throw WalletException.invalid("mode", "must be \"atomic\" or \"independent\"");
            }
            mode = Batch.Mode.valueOf(text);
        }
        JsonNode operations = body.get("operations");
        if (operations == null || !operations.isArray()) {
            throw WalletException.invalid("operations", "must be an array of operations");
        }
        Batch.requireSize(operations.size()); // before parsing them all
        List<Operation> parsed = new ArrayList<>(operations.size());
        for (int i = 0; i < operations.size(); i++) {
            String prefix = "operations[" + i + "].";
            JsonNode item = operations.get(i);
            requireObject(item, "operations[" + i + "]");
            parsed.add(operation(type(item.get("type"), prefix + "type"), item, prefix, true));
        }
        return new Batch(parsed, mode);
    }

    private static OperationType type(JsonNode node, String field) {
        if (node != null && node.isTextual()) {
            for (OperationType type : OperationType.values()) {
                if (type.name().equalsIgnoreCase(node.textValue())) {
                    return type;
                }
            }
        }
        throw WalletException.invalid(field, "must be one of TOPUP, BONUS, SPEND");
    }

    private static Operation operation(OperationType type, JsonNode body, String prefix, boolean typed) {
        requireObject(body, prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1));
        String detail = type.detailField();
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!COMMON.contains(name) && !name.equals(detail) && !(typed && name.equals("type"))) {
                throw WalletException.invalid(
                        prefix + name,
                        "is not a field of a " + type.name().toLowerCase(Locale.ROOT)
                                + " request (allowed: user_id, asset_code, amount, reference_id, " + detail
                                + ", metadata)");
            }
        }
        try {
            return Operation.of(
                    type,
                    text(body, "user_id", prefix),
                    text(body, "asset_code", prefix),
                    amount(body.get("amount"), prefix + "amount"),
                    text(body, "reference_id", prefix),
                    text(body, detail, prefix),
                    metadata(body.get("metadata"), prefix + "metadata"));
        } catch (WalletException e) {
            throw prefix.isEmpty() ? e : prefixed(e, prefix);
        }
    }

    /** A string field, or null when absent or JSON null (the core then says whether it is required). */
    private static String text(JsonNode body, String name, String prefix) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw WalletException.invalid(prefix + name, "must be a JSON string");
        }
        return node.textValue();
    }

    /** Only a JSON integer literal: 1.5, 1.0, 1e3, "100", true and NaN are all refused. */
    private static long amount(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw WalletException.invalid(field, "is required");
        }
        if (!node.isIntegralNumber()) {
            throw WalletException.invalid(
                    field, "must be a JSON integer of minor units (no fraction, exponent, quotes or booleans)");
        }
        if (!node.canConvertToLong()) {
            throw WalletException.invalid(field, Operation.AMOUNT_RANGE); // beyond a long: the core never sees it
        }
        return node.longValue(); // the core checks the range (Operation.of), and names the field
    }

    private static Metadata metadata(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Metadata.empty();
        }
        if (!node.isObject()) {
            throw WalletException.invalid(field, "must be a JSON object");
        }
        return Metadata.parse(Json.text(node));
    }

    private static void requireObject(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw WalletException.invalid(field, "must be a JSON object");
        }
    }

    private static void rejectUnknown(JsonNode body, Set<String> allowed, String prefix) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw WalletException.invalid(
                        prefix + name,
                        "is not a known field (allowed: "
                                + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static WalletException prefixed(WalletException e, String prefix) {
        Object field = e.details().get("field");
        if (e.code() != ErrorCode.VALIDATION_FAILED || !(field instanceof String name) || name.startsWith(prefix)) {
            return e;
        }
        return WalletException.of(e.code(), prefix + e.getMessage(), Map.of("field", prefix + name), e);
    }
}
