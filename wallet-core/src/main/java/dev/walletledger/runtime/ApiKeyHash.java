package dev.walletledger.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How an API key is stored: {@code sha256:<salt hex>:<SHA-256(salt || key) hex>}, the third field of a
 * line of the server's key file. One definition for the server that checks keys and the command that
 * makes them.
 */
public final class ApiKeyHash {
    private ApiKeyHash() {}

    /** SHA-256 of the salt followed by the key's UTF-8 bytes. */
    public static byte[] hash(byte[] salt, String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            return digest.digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The key-file line: {@code <id> <scopes> sha256:<salt hex>:<hash hex>}. */
    public static String line(String id, String scopes, String key, byte[] salt) {
        HexFormat hex = HexFormat.of();
        return id + " " + scopes + " sha256:" + hex.formatHex(salt) + ":" + hex.formatHex(hash(salt, key));
    }
}
