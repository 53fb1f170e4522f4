package dev.walletledger.http;

import dev.walletledger.runtime.ApiKeyHash;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The configured API keys, stored hashed, and the check of an {@code Authorization: Bearer} header.
 *
 * <p>A key is {@code wlk_<key id>.<secret>}, the secret 32 random bytes in base64url (256 bits). The key
 * id inside the key lets the server find the one entry to check, so a request costs one SHA-256 whatever
 * the number of keys. A key file line is {@code <key id> <scopes> sha256:<salt hex>:<hash hex>} where the
 * hash is SHA-256(salt || the key's UTF-8 bytes) and the salt is 16 random bytes.
 *
 * <p>Why a fast hash is right here: slow hashes (bcrypt, scrypt, Argon2) make guessing low-entropy
 * passwords expensive. These keys are 256-bit random values; no amount of hashing speed makes 2^256
 * guesses feasible, so a slow hash would only add milliseconds to every request. The salt keeps equal
 * keys from having equal hashes. The comparison is constant-time ({@link MessageDigest#isEqual}); a key
 * with an unknown id is hashed and compared all the same, so timing tells nothing about which ids exist.
 */
public final class ApiKeys {
    /** Key ids: 1-64 of letters, digits, {@code _} and {@code -}, starting with a letter or digit. */
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public static final String PREFIX = "wlk_";
    public static final int SECRET_BYTES = 32;
    public static final int SALT_BYTES = 16;
    /** More keys than any deployment needs; bounds what a key file can make the server hold. */
    public static final int KEYS_MAX = 10_000;
    /** A Bearer token longer than this cannot be one of ours: refused before hashing. */
    private static final int TOKEN_CHARS_MAX = PREFIX.length() + 64 + 1 + 64;

    private static final Pattern HASH = Pattern.compile("sha256:([0-9a-f]{32}):([0-9a-f]{64})");
    private static final ApiKey DECOY =
            new ApiKey("-", EnumSet.noneOf(Scope.class), new byte[SALT_BYTES], new byte[32]);

    private final Map<String, ApiKey> byId;

    /** One configured key: never holds the key itself. {@code toString} shows id and scopes only. */
    public record ApiKey(String id, Set<Scope> scopes, byte[] salt, byte[] hash) {
        public ApiKey {
            Objects.requireNonNull(id, "id");
            scopes = Set.copyOf(scopes);
            if (salt.length != SALT_BYTES || hash.length != 32) {
                throw new IllegalArgumentException("salt must be " + SALT_BYTES + " bytes and hash 32");
            }
        }

        @Override
        public String toString() {
            return "ApiKey[" + id + " " + Scope.format(scopes) + "]";
        }
    }

    /** A freshly generated key: {@code key} is shown once, {@code line} goes into the keys file. */
    public record Generated(String key, String line) {
        @Override
        public String toString() {
            return "Generated[" + line + "]"; // never the key
        }
    }

    private ApiKeys(Map<String, ApiKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static ApiKeys none() {
        return new ApiKeys(Map.of());
    }

    /**
     * Parses key lines (blank lines and {@code #} comments ignored) from each source in order.
     *
     * @param sources  {name for messages, text}, e.g. {"WALLET_API_KEYS_FILE /etc/wallet/keys", "..."}
     * @throws IllegalArgumentException naming the source and line, never echoing a hash
     */
    public static ApiKeys parse(List<Map.Entry<String, String>> sources) {
        Map<String, ApiKey> byId = new LinkedHashMap<>();
        for (Map.Entry<String, String> source : sources) {
            String[] lines = source.getValue().split("\r?\n|;", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = source.getKey() + " line " + (i + 1);
                ApiKey key = parseLine(line, where);
                if (byId.putIfAbsent(key.id(), key) != null) {
                    throw new IllegalArgumentException(where + ": key id " + key.id() + " is configured twice");
                }
                if (byId.size() > KEYS_MAX) {
                    throw new IllegalArgumentException(where + ": more than " + KEYS_MAX + " keys");
                }
            }
        }
        return new ApiKeys(byId);
    }

    private static ApiKey parseLine(String line, String where) {
        String[] fields = line.split("\\s+");
        if (fields.length != 3) {
            throw new IllegalArgumentException(where + ": expected \"<key id> <scopes> sha256:<salt>:<hash>\" "
                    + "(3 fields separated by spaces), got " + fields.length + " fields");
        }
        if (!KEY_ID.matcher(fields[0]).matches()) {
            throw new IllegalArgumentException(where + ": the key id must be 1-64 of A-Z, a-z, 0-9, _ and -");
        }
        Set<Scope> scopes;
        try {
            scopes = Scope.parseList(fields[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        var hash = HASH.matcher(fields[2]);
        if (!hash.matches()) {
            throw new IllegalArgumentException(where + ": the hash must be sha256:<32 hex digits of salt>:"
                    + "<64 hex digits>, as printed by 'wallet keys generate'");
        }
        HexFormat hex = HexFormat.of();
        return new ApiKey(fields[0], scopes, hex.parseHex(hash.group(1)), hex.parseHex(hash.group(2)));
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public int size() {
        return byId.size();
    }

    /** The key ids, sorted. */
    public List<String> ids() {
        return byId.keySet().stream().sorted().toList();
    }

    /**
     * The key a request's {@code Authorization} header value presents.
     *
     * @throws ApiException 401 {@code UNAUTHENTICATED} when missing, malformed or not a configured key
     */
    ApiKey authenticate(String authorization) {
        if (authorization == null) {
            throw unauthenticated("send an API key as Authorization: Bearer <key>", false);
        }
        if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated("the Authorization header must be \"Bearer <key>\"", true);
        }
        String token = authorization.substring(7).strip();
        int dot = token.indexOf('.');
        if (token.length() > TOKEN_CHARS_MAX || !token.startsWith(PREFIX) || dot < 0) {
            throw unauthenticated("the API key is not valid", true);
        }
        ApiKey key = byId.getOrDefault(token.substring(PREFIX.length(), dot), DECOY);
        byte[] computed = ApiKeyHash.hash(key.salt(), token);
        if (!MessageDigest.isEqual(computed, key.hash()) || key == DECOY) {
            throw unauthenticated("the API key is not valid", true);
        }
        return key;
    }

    /** 401 {@code UNAUTHENTICATED}, with the {@code WWW-Authenticate} challenge (RFC 6750's {@code invalid_token}). */
    static ApiException unauthenticated(String message, boolean invalidToken) {
        String challenge = invalidToken
                ? "Bearer realm=\"wallet-ledger\", error=\"invalid_token\""
                : "Bearer realm=\"wallet-ledger\"";
        return new ApiException(
                HttpErrorCode.UNAUTHENTICATED, message, Map.of(), Map.of("WWW-Authenticate", challenge));
    }

    /** @throws ApiException 403 {@code FORBIDDEN} naming the scopes that would open the route (any one) */
    static void requireScope(ApiKey key, Set<Scope> anyOf) {
        if (java.util.Collections.disjoint(key.scopes(), anyOf)) {
            String needed =
                    anyOf.stream().sorted().map(Scope::label).collect(java.util.stream.Collectors.joining(" or "));
            throw forbidden("this API key does not have the " + needed + " scope this endpoint needs", anyOf);
        }
    }

    /**
     * 403 {@code FORBIDDEN}: {@code details.required_scope} and the challenge's {@code scope} list the scopes that
     * open the route, separated by spaces as in RFC 6750 ({@code "write support"}: either one).
     */
    static ApiException forbidden(String message, Set<Scope> anyOf) {
        String scopes = anyOf.stream().sorted().map(Scope::label).collect(java.util.stream.Collectors.joining(" "));
        return new ApiException(
                HttpErrorCode.FORBIDDEN,
                message,
                Map.of("required_scope", scopes),
                Map.of(
                        "WWW-Authenticate",
                        "Bearer realm=\"wallet-ledger\", error=\"insufficient_scope\", scope=\"" + scopes + "\""));
    }

    /** A new random key and its key-file line (what {@code wallet keys generate} prints). */
    public static Generated generate(String id, Set<Scope> scopes, SecureRandom random) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the key id must be 1-64 of A-Z, a-z, 0-9, _ and -");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        String key = PREFIX + id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Generated(key, line(id, scopes, key, salt));
    }

    /** The key-file line for {@code key} with {@code salt}; pure, for tests and the generator. */
    public static String line(String id, Set<Scope> scopes, String key, byte[] salt) {
        return ApiKeyHash.line(id, Scope.format(scopes), key, salt);
    }

    @Override
    public String toString() {
        return "ApiKeys" + byId.values();
    }
}
