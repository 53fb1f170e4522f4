package dev.walletledger.core;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/** Builds and reads {@link Operation#fields()}. */
final class Fields {
    private Fields() {}

    /** Name/value pairs in order; pairs with a null value are left out. */
    static Map<String, String> of(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                fields.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return Collections.unmodifiableMap(fields);
    }

    static Map<String, String> seed(Operation operation, String userId, String assetCode, long amount, String detail) {
        return seed(operation, userId, assetCode, amount, detail, null);
    }

    /** A seed type's fields, with the expiry of the coins it credits when it has one. */
    static Map<String, String> seed(
            Operation operation, String userId, String assetCode, long amount, String detail, Instant expiresAt) {
        return of(
                "user_id",
                userId,
                "asset_code",
                assetCode,
                "amount",
                Long.toString(amount),
                operation.type().detailField(),
                detail,
                "expires_at",
                expiresAt == null ? null : expiresAt.toString());
    }

    static long amount(Map<String, String> fields) {
        String text = fields.get("amount");
        if (text == null) {
            throw WalletException.invalid("amount", "is required");
        }
        return Long.parseLong(text);
    }

    static OptionalLong optionalAmount(Map<String, String> fields) {
        String text = fields.get("amount");
        return text == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
    }
}
