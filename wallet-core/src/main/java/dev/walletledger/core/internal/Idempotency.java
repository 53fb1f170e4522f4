package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/** Request fingerprints, and what differs between a new request and the one recorded under its reference. */
final class Idempotency {
    private Idempotency() {}

    /** SHA-256 over the request (type, reference, fields, metadata), length-prefixed so no two requests share an encoding. */
    public static byte[] fingerprint(Operation operation) {
        MessageDigest digest = Sha256.digest();
        List<String> parts = new ArrayList<>();
        parts.add(operation.type().name());
        parts.add(operation.referenceId());
        new TreeMap<>(operation.fields()).forEach((name, value) -> {
            parts.add(name);
            parts.add(value);
        });
        parts.add(operation.metadata().json());
        for (String field : parts) {
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

    /**
     * The wire names of the fields in which {@code request} differs from {@code recorded}; empty if none. A
     * request of another type differs in {@code type} and in every field either names differently; the
     * seed types' descriptive fields count as one, named as the request names it.
     */
    public static List<String> differences(Operation recorded, Operation request) {
        List<String> fields = new ArrayList<>();
        if (recorded.type() != request.type()) {
            fields.add("type");
        }
        Map<String, String> was = comparable(recorded);
        Map<String, String> now = comparable(request);
        Set<String> names = new LinkedHashSet<>(now.keySet());
        names.addAll(was.keySet());
        for (String name : names) {
            if (!Objects.equals(was.get(name), now.get(name))) {
                fields.add(name.equals(DETAIL) ? detailName(request, recorded) : name);
            }
        }
        if (!recorded.metadata().equals(request.metadata())) {
            fields.add("metadata");
        }
        return fields;
    }

    private static final String DETAIL = "\u0000detail";

    /** The fields, with a seed type's descriptive field under one shared name, in its place. */
    private static Map<String, String> comparable(Operation operation) {
        String detail = operation.type().detailField();
        Map<String, String> fields = new LinkedHashMap<>();
        if (detail != null && !operation.fields().containsKey(detail)) {
            operation.fields().forEach(fields::put);
            fields.put(DETAIL, null);
            return fields;
        }
        operation.fields().forEach((name, value) -> fields.put(name.equals(detail) ? DETAIL : name, value));
        return fields;
    }

    private static String detailName(Operation request, Operation recorded) {
        return request.type().detailField() != null
                ? request.type().detailField()
                : recorded.type().detailField();
    }

    public static WalletException conflict(String referenceId, List<String> fields) {
        return WalletException.of(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "reference_id " + referenceId + " was already used by a different request (differs in "
                        + String.join(", ", fields) + ")",
                Map.of("reference_id", referenceId, "fields", List.copyOf(fields)));
    }
}
