package dev.walletledger.core.internal;

import dev.walletledger.core.Entry;
import dev.walletledger.core.Operation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The tamper-evident chains: one per USER wallet. A transaction's content hash is SHA-256 over its
 * canonical content: id, type, reference, asset, amount, the transaction it takes back, every recorded
 * request field, metadata, creation time in microseconds, who did it, and all its postings, each
 * length-prefixed so no two contents share an encoding. Each USER posting then stores its wallet's link:
 * SHA-256 over the wallet's previous link (32 zero bytes for the first), the wallet id and that content
 * hash. Changing, removing or reordering anything recorded changes every later link of each wallet the
 * transaction touched.
 */
final class Chain {
    static final byte[] GENESIS = new byte[32];
    private static final byte[] CONTENT = "wallet-ledger/transaction/v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LINK = "wallet-ledger/link/v2".getBytes(StandardCharsets.US_ASCII);

    private Chain() {}

    public static byte[] content(
            UUID id,
            Operation operation,
            String assetCode,
            long amount,
            UUID reverses,
            Instant createdAt,
            String actor,
            List<Entry> entries) {
        MessageDigest digest = Sha256.digest();
        digest.update(CONTENT);
        field(digest, id.toString());
        field(digest, operation.type().name());
        field(digest, operation.referenceId());
        field(digest, assetCode);
        field(digest, Long.toString(amount));
        field(digest, reverses == null ? "\u0000" : reverses.toString());
        Map<String, String> fields = new TreeMap<>(operation.fields());
        field(digest, Integer.toString(fields.size()));
        for (Map.Entry<String, String> f : fields.entrySet()) {
            field(digest, f.getKey());
            field(digest, f.getValue());
        }
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

    /** A wallet's next link: over its previous link (null before the first), its id and the content hash. */
    public static byte[] link(byte[] previous, long walletId, byte[] content) {
        MessageDigest digest = Sha256.digest();
        digest.update(LINK);
        digest.update(previous == null ? GENESIS : previous);
        digest.update(ByteBuffer.allocate(8).putLong(walletId).array());
        digest.update(content);
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
