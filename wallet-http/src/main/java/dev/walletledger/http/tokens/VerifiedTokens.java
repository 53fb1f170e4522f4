package dev.walletledger.http.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens whose signature and claims already held, so that a game client reading again with the same token
 * costs a SHA-256 rather than a signature check (the JDK's Ed25519 verification costs a few hundred
 * microseconds of CPU: measured over HTTP, token reads ran at a fifth of the rate of key reads without this).
 *
 * <p>An entry is bound to the {@link TokenKeys} it was checked with: a reload of the keys file makes new ones,
 * so every token is checked again after a key is removed. Only {@code exp} can change a good token's answer
 * over time, and it is checked on every hit (with the same skew). Entries are keyed by the token's SHA-256, so
 * the cache holds no token; at most {@link #ENTRIES_MAX}, emptied when full (bounded memory, then a re-check
 * per token).
 */
public final class VerifiedTokens {
    public static final int ENTRIES_MAX = 10_000;

    private record Entry(TokenKeys keys, PlayerTokens.Player player) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final TokenSettings settings;

    public VerifiedTokens(TokenSettings settings) {
        this.settings = settings;
    }

    /** As {@link PlayerTokens#verify}, answered from the cache when this token held under these keys. */
    public PlayerTokens.Player verify(String token, TokenKeys keys, Instant now) {
        if (token.length() > PlayerTokens.TOKEN_CHARS_MAX) {
            return PlayerTokens.verify(token, keys, settings, now); // refused; never hashed
        }
        String digest = sha256(token);
        Entry entry = entries.get(digest);
        if (entry != null && entry.keys() == keys) {
            if (now.getEpochSecond() >= entry.player().expiresAtSecond() + settings.clockSkewSeconds()) {
                entries.remove(digest, entry);
                throw new PlayerTokens.Refused("the token has expired");
            }
            return entry.player();
        }
        PlayerTokens.Player player = PlayerTokens.verify(token, keys, settings, now);
        if (entries.size() >= ENTRIES_MAX) {
            entries.clear();
        }
        entries.put(digest, new Entry(keys, player));
        return player;
    }

    /** How many tokens are remembered now (for tests). */
    int size() {
        return entries.size();
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
