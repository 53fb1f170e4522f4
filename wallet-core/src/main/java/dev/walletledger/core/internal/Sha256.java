package dev.walletledger.core.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The one place a SHA-256 digest is made: fingerprints, hash chains, API key hashes. */
final class Sha256 {
    private Sha256() {}

    /** A fresh digest (not thread-safe: one per use, or one per thread). */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java runtime has SHA-256", e);
        }
    }

    /** SHA-256 of {@code prefix} followed by {@code bytes}. */
    public static byte[] of(byte[] prefix, byte[] bytes) {
        MessageDigest digest = digest();
        digest.update(prefix);
        return digest.digest(bytes);
    }
}
