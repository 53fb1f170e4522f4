package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Key lines, the Bearer check and the 401/403 answers, without a server. */
class ApiKeysTest {
    /**
     * A fixed key, salt and line: {@code WalletKeysCommandTest} in wallet-cli checks the same vector, so the
     * command's lines and the server's check cannot drift apart.
     */
    static final String GOLDEN_KEY = "wlk_game-server.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    static final byte[] GOLDEN_SALT = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    static final String GOLDEN_LINE = "game-server read,write sha256:000102030405060708090a0b0c0d0e0f:"
            + "ad97c5c624eb2b242eb2d5fcfbb4c8ec5384e97398e4a060229dd21668133ba6";

    @Test
    void theGoldenVector() {
        String line = ApiKeys.line("game-server", EnumSet.of(Scope.WRITE, Scope.READ), GOLDEN_KEY, GOLDEN_SALT);
        assertEquals(GOLDEN_LINE, line); // = sha256(salt || key), as Python's hashlib computes it too
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", line)));
        assertEquals("game-server", keys.authenticate("Bearer " + GOLDEN_KEY).id());
    }

    @Test
    void aGeneratedKeyAuthenticatesWithItsScopes() {
        ApiKeys.Generated generated = ApiKeys.generate("ops", EnumSet.of(Scope.ADMIN), new SecureRandom());
        assertTrue(generated.key().startsWith("wlk_ops."), generated.key());
        assertEquals(4 + 3 + 1 + 43, generated.key().length());
        assertFalse(generated.toString().contains(generated.key()));
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", "# a comment\n\n" + generated.line() + "\n")));
        ApiKeys.ApiKey key = keys.authenticate("Bearer " + generated.key());
        assertEquals("ops", key.id());
        assertEquals(Set.of(Scope.ADMIN), key.scopes());
        assertEquals(key, keys.authenticate("bearer  " + generated.key() + " ")); // scheme is case-insensitive
        ApiException forbidden = assertThrows(ApiException.class, () -> ApiKeys.requireScope(key, Set.of(Scope.READ)));
        assertEquals(HttpErrorCode.FORBIDDEN, forbidden.code);
        assertEquals(Map.of("required_scope", "read"), forbidden.details);
        // A route opened by either of two scopes lists both, as RFC 6750's scope does.
        ApiException either =
                assertThrows(ApiException.class, () -> ApiKeys.requireScope(key, Set.of(Scope.SUPPORT, Scope.WRITE)));
        assertEquals(Map.of("required_scope", "write support"), either.details);
        ApiKeys.requireScope(key, Set.of(Scope.SUPPORT, Scope.ADMIN)); // one of them suffices
        assertFalse(keys.toString().contains(generated.key()));
    }

    @Test
    void everyWrongCredentialIs401WithAChallenge() {
        ApiKeys.Generated generated = ApiKeys.generate("svc", EnumSet.of(Scope.READ), new SecureRandom());
        ApiKeys.Generated other = ApiKeys.generate("svc", EnumSet.of(Scope.READ), new SecureRandom());
        ApiKeys keys = ApiKeys.parse(List.of(Map.entry("test", generated.line())));
        String key = generated.key();
        String[] wrong = {
            null,
            "",
            "Bearer",
            "Bearer ",
            "Basic " + key,
            key,
            "Bearer " + other.key(),
            "Bearer " + key.substring(0, key.length() - 1),
            "Bearer " + key + "x",
            "Bearer " + key.replace("wlk_svc.", "wlk_nobody."),
            "Bearer " + key.replace("wlk_", ""),
            "Bearer wlk_svc",
            "Bearer " + "x".repeat(100_000),
            "Bearer " + key.toUpperCase()
        };
        for (String header : wrong) {
            ApiException e = assertThrows(ApiException.class, () -> keys.authenticate(header), String.valueOf(header));
            assertEquals(HttpErrorCode.UNAUTHENTICATED, e.code);
            assertTrue(e.headers.get("WWW-Authenticate").startsWith("Bearer realm=\"wallet-ledger\""));
            assertFalse(e.getMessage().contains(key));
        }
    }

    @Test
    void badLinesNameTheSourceAndLineWithoutEchoingTheHash() {
        String good = ApiKeys.generate("a", EnumSet.of(Scope.READ), new SecureRandom())
                .line();
        String hash = good.split(" ")[2];
        String[][] cases = {
            {"a read", "3 fields"},
            {"a read " + hash + " extra", "3 fields"},
            {"-a read " + hash, "key id"},
            {"a reed " + hash, "unknown scope"},
            {"a read,read " + hash, "twice"},
            {"a read,,write " + hash, "unknown scope"},
            {"a read sha256:00:11", "sha256:"},
            {"a read md5:" + hash.substring(7), "sha256:"},
            {good + "\n" + good, "configured twice"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ApiKeys.parse(List.of(Map.entry("WALLET_API_KEYS_FILE keys.txt", c[0]))),
                    c[0]);
            assertTrue(e.getMessage().startsWith("WALLET_API_KEYS_FILE keys.txt line "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains(hash.substring(40)), e.getMessage());
        }
    }

    @Test
    void envLinesMaySeparateWithSemicolons() {
        String a = ApiKeys.generate("a", EnumSet.of(Scope.READ), new SecureRandom())
                .line();
        String b = ApiKeys.generate("b", EnumSet.of(Scope.WRITE, Scope.ADMIN), new SecureRandom())
                .line();
        assertEquals(
                List.of("a", "b"),
                ApiKeys.parse(List.of(Map.entry("WALLET_API_KEYS", a + ";" + b)))
                        .ids());
        assertEquals("write,admin", b.split(" ")[1]);
    }
}
