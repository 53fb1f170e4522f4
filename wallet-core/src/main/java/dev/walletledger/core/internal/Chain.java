package dev.walletledger.core.internal;

import dev.walletledger.core.Entry;
import dev.walletledger.core.Operation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The tamper-evident chains: one per USER wallet. A transaction's hash is SHA-256 over the previous
 * hash of its wallet (32 zero bytes for the first) and its canonical content: every field, its creation
 * time in microseconds, who did it, and both entries, each length-prefixed so no two contents share an
 * encoding. Changing, removing or reordering anything recorded changes every later hash of the wallet.
 */
public final class Chain {
    static final byte[] GENESIS = new byte[32];
    private static final byte[] DOMAIN = "wallet-ledger/transaction/v1".getBytes(StandardCharsets.US_ASCII);

    private Chain() {}

    public static byte[] hash(
            byte[] previous,
            UUID id,
            Operation operation,
            long userWalletId,
            Instant createdAt,
            String actor,
            List<Entry> entries) {
        MessageDigest digest = Sha256.digest();
        digest.update(DOMAIN);
        digest.update(previous == null ? GENESIS : previous);
        field(digest, id.toString());
        field(digest, operation.type().name());
        field(digest, operation.referenceId());
        field(digest, Long.toString(userWalletId));
        field(digest, operation.userId());
        field(digest, operation.assetCode());
        field(digest, Long.toString(operation.amount()));
        field(digest, operation.detail() == null ? "\u0000" : operation.detail());
        field(digest, operation.metadata().json());
        field(digest, Long.toString(micros(createdAt)));
        field(digest, actor == null ? "\u0000" : actor);
        field(digest, Integer.toString(entries.size()));
        for (Entry entry : entries) {
            field(digest, Long.toString(entry.walletId()));
            field(digest, entry.direction().name());
            field(digest, Long.toString(entry.amount()));
            field(
                    digest,
                    entry.balanceAfter().isPresent()
                            ? Long.toString(entry.balanceAfter().getAsLong())
                            : "-");
        }
        return digest.digest();
    }

    /** PostgreSQL keeps timestamps to the microsecond; so does the hash. */
    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** Folds one wallet's head into an anchor digest, in ascending wallet order. */
    static void foldHead(MessageDigest digest, long walletId, byte[] head) {
        digest.update(ByteBuffer.allocate(8).putLong(walletId).array());
        digest.update(head);
    }

    static MessageDigest anchorDigest() {
        MessageDigest digest = Sha256.digest();
        digest.update("wallet-ledger/anchor/v1".getBytes(StandardCharsets.US_ASCII));
        return digest;
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static void field(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }
}
