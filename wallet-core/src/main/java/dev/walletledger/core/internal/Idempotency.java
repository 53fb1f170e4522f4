package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Request fingerprints, and what differs between a new request and the one recorded under its reference. */
public final class Idempotency {
    private Idempotency() {}

    /** SHA-256 over the request's fields, each length-prefixed so no two requests share an encoding. */
    public static byte[] fingerprint(Operation operation) {
        MessageDigest digest = Sha256.digest();
        for (String field : new String[] {
            operation.type().name(),
            operation.userId(),
            operation.assetCode(),
            Long.toString(operation.amount()),
            operation.referenceId(),
            operation.detail() == null ? "\u0000" : operation.detail(),
            operation.metadata().json()
        }) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }
        return digest.digest();
    }

    public static String fingerprintHex(Operation operation) {
        return HexFormat.of().formatHex(fingerprint(operation));
    }

    /** The wire names of the fields in which {@code request} differs from {@code recorded}; empty if none. */
    public static List<String> differences(Operation recorded, Operation request) {
        List<String> fields = new ArrayList<>();
        if (recorded.type() != request.type()) {
            fields.add("type");
        }
        if (!recorded.userId().equals(request.userId())) {
            fields.add("user_id");
        }
        if (!recorded.assetCode().equals(request.assetCode())) {
            fields.add("asset_code");
        }
        if (recorded.amount() != request.amount()) {
            fields.add("amount");
        }
        if (!Objects.equals(recorded.detail(), request.detail())) {
            fields.add(request.type().detailField());
        }
        if (!recorded.metadata().equals(request.metadata())) {
            fields.add("metadata");
        }
        return fields;
    }

    public static WalletException conflict(String referenceId, List<String> fields) {
        return WalletException.of(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "reference_id " + referenceId + " was already used by a different request (differs in "
                        + String.join(", ", fields) + ")",
                Map.of("reference_id", referenceId, "fields", List.copyOf(fields)));
    }
}
