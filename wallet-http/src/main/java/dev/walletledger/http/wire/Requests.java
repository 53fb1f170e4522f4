package dev.walletledger.http.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.Batch;
import dev.walletledger.core.ChargebackPolicy;
import dev.walletledger.core.ControlsChange;
import dev.walletledger.core.Direction;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request bodies to core requests. The JSON tree is checked by hand so each refusal names its field;
 * the core records then check the values (lengths, characters, ranges) and name the field too.
 */
public final class Requests {
    private static final Set<String> BATCH = Set.of("mode", "operations");
    private static final Set<String> CONTROLS = Set.of("status", "max_balance", "daily_spend_limit", "reason");

    private Requests() {}

    /**
     * A single write's body: a top-up, bonus or spend {@code {user_id, asset_code, amount, reference_id,
     * <detail>?, metadata?}}, a transfer, an adjustment; for a reversal or chargeback the transaction it takes
     * back comes from the path ({@code transactionId}), not the body.
     */
    public static Operation operation(OperationType type, JsonNode body, String transactionId) {
        return operation(type, body, "", false, transactionId);
    }

    /** A top-up, bonus, spend, transfer or adjustment body. */
    public static Operation operation(OperationType type, JsonNode body) {
        return operation(type, body, "", false, null);
    }

    /** The fields a body of this type may hold, in the order the refusal lists them. */
    static List<String> fields(OperationType type, boolean typed) {
        List<String> taken = typed ? List.of("transaction_id") : List.of(); // in a batch; else from the path
        List<String> own = switch (type) {
            case TOPUP, BONUS ->
                List.of("user_id", "asset_code", "amount", "reference_id", type.detailField(), "expires_at");
            case SPEND -> List.of("user_id", "asset_code", "amount", "reference_id", type.detailField());
            case TRANSFER -> List.of("from_user_id", "to_user_id", "asset_code", "amount", "reference_id");
            case REVERSAL -> concat(taken, List.of("reference_id", "amount", "reason"));
            case CHARGEBACK -> concat(taken, List.of("reference_id", "amount", "policy"));
            case ADJUSTMENT -> List.of("user_id", "asset_code", "direction", "amount", "reference_id", "reason");
            case HOLD -> List.of("user_id", "asset_code", "amount", "reference_id", "expires_in_seconds", "expires_at");
            case CAPTURE ->
                concat(typed ? List.of("hold_id") : List.of(), List.of("reference_id", "amount", "final", "item_id"));
            case VOID -> concat(typed ? List.of("hold_id") : List.of(), List.of("reference_id"));
            case EXPIRY, LOT_EXPIRY, LOT_SPLIT -> List.of();
        };
        List<String> fields = new ArrayList<>();
        if (typed) {
            fields.add("type");
        }
        fields.addAll(own);
        fields.add("metadata");
        return fields;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
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
            String text = modeNode.isTextual() ? modeNode.textValue() : "";
            mode = switch (text) { // spelled exactly as documented, as every enumerated value
                case "atomic" -> Batch.Mode.ATOMIC;
                case "independent" -> Batch.Mode.INDEPENDENT;
                default -> throw WalletException.invalid("mode", "must be \"atomic\" or \"independent\"");
            };
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
            parsed.add(operation(type(item.get("type"), prefix + "type"), item, prefix, true, null));
        }
        return new Batch(parsed, mode);
    }

    /**
     * A controls change's body: {@code {status?, max_balance?, daily_spend_limit?, reason}}. A field left out keeps
     * what is in force; a limit sent as null removes it ({@link ControlsChange.Limit#NONE}): the two differ, so the
     * body is read field by field rather than into a record whose absent and null would look alike.
     */
    public static ControlsChange controlsChange(String userId, String assetCode, JsonNode body) {
        requireObject(body, "body");
        rejectUnknown(body, CONTROLS, "");
        Optional<WalletStatus> status = Optional.empty();
        JsonNode statusNode = body.get("status");
        if (statusNode != null) {
            status = Optional.of(status(statusNode));
        }
        return new ControlsChange(
                userId,
                assetCode,
                status,
                limit(body, "max_balance"),
                limit(body, "daily_spend_limit"),
                text(body, "reason", ""));
    }

    private static WalletStatus status(JsonNode node) {
        String text = node.isTextual() ? node.textValue() : "";
        for (WalletStatus status : WalletStatus.values()) {
            if (status.name().equals(text)) { // exactly, in capitals, as every enumerated value
                return status;
            }
        }
        throw WalletException.invalid("status", "must be one of ACTIVE, FROZEN, CLOSED");
    }

    /** Left out: keep it (empty); null: remove it; else a whole number of minor units within the amounts' range. */
    private static Optional<ControlsChange.Limit> limit(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null) {
            return Optional.empty();
        }
        if (node.isNull()) {
            return Optional.of(ControlsChange.Limit.NONE);
        }
        long value = amount(node, field);
        if (value < 0 || value > Operation.AMOUNT_MAX) {
            // Checked here so the refusal names this field (the core's Limit names a generic one).
            throw WalletException.invalid(field, "must be null (no limit) or between 0 and " + Operation.AMOUNT_MAX);
        }
        return Optional.of(ControlsChange.Limit.of(value));
    }

    private static OperationType type(JsonNode node, String field) {
        if (node != null && node.isTextual()) {
            for (OperationType type : OperationType.values()) {
                if (!ledgers(type) && type.name().equals(node.textValue())) { // exactly, in capitals
                    return type;
                }
            }
        }
        throw WalletException.invalid(
                field,
                "must be one of "
                        + String.join(
                                ", ",
                                java.util.Arrays.stream(OperationType.values())
                                        .filter(t -> !ledgers(t)) // the ledger's own
                                        .map(Enum::name)
                                        .toList()));
    }

    /** The types only the ledger posts: an expiry of a hold or of a lot. */
    private static boolean ledgers(OperationType type) {
        return type == OperationType.EXPIRY || type == OperationType.LOT_EXPIRY || type == OperationType.LOT_SPLIT;
    }

    private static Operation operation(
            OperationType type, JsonNode body, String prefix, boolean typed, String pathTransactionId) {
        requireObject(body, prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1));
        List<String> allowed = fields(type, typed);
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw WalletException.invalid(
                        prefix + name,
                        "is not a field of a " + type.name().toLowerCase(Locale.ROOT) + " request (allowed: "
                                + String.join(
                                        ", ",
                                        allowed.stream()
                                                .filter(f -> !f.equals("type"))
                                                .toList())
                                + ")");
            }
        }
        try {
            Metadata metadata = metadata(body.get("metadata"), prefix + "metadata");
            return switch (type) {
                case TOPUP, BONUS, SPEND ->
                    Operation.of(
                            type,
                            text(body, "user_id", prefix),
                            text(body, "asset_code", prefix),
                            amount(body.get("amount"), prefix + "amount"),
                            text(body, "reference_id", prefix),
                            text(body, type.detailField(), prefix),
                            metadata,
                            instant(text(body, "expires_at", prefix), prefix + "expires_at"));
                case TRANSFER ->
                    new Operation.Transfer(
                            text(body, "from_user_id", prefix),
                            text(body, "to_user_id", prefix),
                            text(body, "asset_code", prefix),
                            amount(body.get("amount"), prefix + "amount"),
                            text(body, "reference_id", prefix),
                            metadata);
                case REVERSAL ->
                    new Operation.Reversal(
                            transactionId(body, prefix, pathTransactionId),
                            text(body, "reference_id", prefix),
                            optionalAmount(body.get("amount"), prefix + "amount"),
                            text(body, "reason", prefix),
                            metadata);
                case CHARGEBACK ->
                    new Operation.Chargeback(
                            transactionId(body, prefix, pathTransactionId),
                            text(body, "reference_id", prefix),
                            optionalAmount(body.get("amount"), prefix + "amount"),
                            ChargebackPolicy.parse(prefix + "policy", required(body, "policy", prefix)),
                            metadata);
                case ADJUSTMENT ->
                    new Operation.Adjustment(
                            text(body, "user_id", prefix),
                            text(body, "asset_code", prefix),
                            direction(required(body, "direction", prefix), prefix + "direction"),
                            amount(body.get("amount"), prefix + "amount"),
                            text(body, "reference_id", prefix),
                            text(body, "reason", prefix),
                            metadata);
                case HOLD ->
                    new Operation.Hold(
                            text(body, "user_id", prefix),
                            text(body, "asset_code", prefix),
                            amount(body.get("amount"), prefix + "amount"),
                            text(body, "reference_id", prefix),
                            optionalInteger(body.get("expires_in_seconds"), prefix + "expires_in_seconds"),
                            instant(text(body, "expires_at", prefix), prefix + "expires_at"),
                            metadata);
                case CAPTURE ->
                    new Operation.Capture(
                            id(body, "hold_id", prefix, pathTransactionId),
                            text(body, "reference_id", prefix),
                            optionalAmount(body.get("amount"), prefix + "amount"),
                            bool(body.get("final"), prefix + "final", true),
                            text(body, "item_id", prefix),
                            metadata);
                case VOID ->
                    new Operation.VoidHold(
                            id(body, "hold_id", prefix, pathTransactionId),
                            text(body, "reference_id", prefix),
                            metadata);
                case EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                    throw WalletException.invalid(
                            prefix + "type", "an expiry or a lot split is posted by the ledger itself");
            };
        } catch (WalletException e) {
            throw prefix.isEmpty() ? e : prefixed(e, prefix);
        }
    }

    /** A transaction id: the path's, or (in a batch) the body's {@code transaction_id}. */
    private static UUID transactionId(JsonNode body, String prefix, String pathTransactionId) {
        return id(body, "transaction_id", prefix, pathTransactionId);
    }

    /** An id named {@code name}: the path's, or (in a batch) the body's. */
    private static UUID id(JsonNode body, String name, String prefix, String pathId) {
        String text = pathId != null ? pathId : required(body, name, prefix);
        if (!UUID_TEXT.matcher(text).matches()) {
            throw WalletException.invalid(
                    pathId != null ? name : prefix + name,
                    "must be a UUID such as 0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d");
        }
        return UUID.fromString(text.toLowerCase(Locale.ROOT));
    }

    /** A JSON boolean, or {@code absent} when the field is missing or null. */
    private static boolean bool(JsonNode node, String field, boolean absent) {
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw WalletException.invalid(field, "must be true or false");
        }
        return node.booleanValue();
    }

    /** A whole number of seconds, or empty when absent. */
    private static OptionalLong optionalInteger(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw WalletException.invalid(field, "must be a JSON integer");
        }
        return OptionalLong.of(node.longValue());
    }

    /**
     * A moment named by a query parameter or an option: an RFC 3339 time with an offset (2026-12-02T19:00:00Z), or
     * null when absent; {@code VALIDATION_FAILED} naming {@code field} otherwise.
     */
    public static Instant moment(String text, String field) {
        return instant(text, field);
    }

    /** An instant in ISO-8601 (2026-12-02T19:00:00Z), or null when absent. */
    private static Instant instant(String text, String field) {
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw WalletException.invalid(
                    field, "must be an ISO-8601 time with an offset, such as 2026-12-02T19:00:00Z");
        }
    }

    /** A UUID's text form, any case. */
    public static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");

    private static String required(JsonNode body, String name, String prefix) {
        String value = text(body, name, prefix);
        if (value == null) {
            throw WalletException.invalid(prefix + name, "is required");
        }
        return value;
    }

    private static Direction direction(String text, String field) {
        return switch (text) {
            case "credit" -> Direction.CREDIT;
            case "debit" -> Direction.DEBIT;
            default -> throw WalletException.invalid(field, "must be \"credit\" or \"debit\"");
        };
    }

    private static OptionalLong optionalAmount(JsonNode node, String field) {
        return node == null || node.isNull() ? OptionalLong.empty() : OptionalLong.of(amount(node, field));
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
        // The tree as plain maps and lists, canonicalized by the core: the body is parsed once, by Jackson.
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) plain(node);
        return Metadata.of(tree);
    }

    /**
     * A JSON tree as plain Java values: objects as maps (in their order), arrays as lists, numbers exact
     * (BigInteger, BigDecimal: the parser keeps floats as BigDecimal), strings, booleans, null. Recursion is
     * bounded by the parser's nesting limit ({@link Json#NESTING_MAX}).
     */
    private static Object plain(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new java.util.LinkedHashMap<>();
                node.fields().forEachRemaining(field -> map.put(field.getKey(), plain(field.getValue())));
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                node.forEach(element -> list.add(plain(element)));
                yield list;
            }
            case NUMBER -> node.isIntegralNumber() ? node.bigIntegerValue() : node.decimalValue();
            case STRING -> node.textValue();
            case BOOLEAN -> node.booleanValue();
            case NULL -> null;
            case BINARY, MISSING, POJO -> throw WalletException.invalid("metadata", "must be plain JSON");
        };
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
