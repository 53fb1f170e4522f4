package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.walletledger.http.tokens.PlayerTokens;
import dev.walletledger.http.tokens.TokenKeys;
import dev.walletledger.http.tokens.TokenSettings;
import dev.walletledger.http.tokens.VerifiedTokens;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The cache of tokens already checked: a hit still expires at the token's {@code exp} (with the skew), and keys
 * read again check every token again, so a removed key's tokens are refused at once.
 */
class VerifiedTokensTest {
    private static final TokenSettings SETTINGS = new TokenSettings("wallet-ledger", Optional.empty(), 30, 86_400);

    @Test
    void aRememberedTokenStillExpires() {
        OctetKeyPair key = TestTokens.ed25519("k1");
        TokenKeys keys = TokenKeys.parse("test", TestTokens.publicSet(key));
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        String token = TestTokens.sign(key, TestTokens.claims("ann", now).build()); // exp: now + 900 s
        VerifiedTokens cache = new VerifiedTokens(SETTINGS);

        assertEquals("ann", cache.verify(token, keys, now).userId());
        assertEquals("ann", cache.verify(token, keys, now.plusSeconds(900 + 29)).userId(), "within the skew");
        PlayerTokens.Refused late =
                assertThrows(PlayerTokens.Refused.class, () -> cache.verify(token, keys, now.plusSeconds(930)));
        assertTrue(late.getMessage().contains("expired"), late.getMessage());
        assertThrows(PlayerTokens.Refused.class, () -> cache.verify(token, keys, now.plusSeconds(931)));
    }

    @Test
    void keysReadAgainWithoutTheKeyRefuseARememberedToken() {
        OctetKeyPair k1 = TestTokens.ed25519("k1");
        OctetKeyPair k2 = TestTokens.ed25519("k2");
        TokenKeys both = TokenKeys.parse("test", TestTokens.publicSet(k1, k2));
        Instant now = Instant.now();
        String token = TestTokens.sign(k1, TestTokens.claims("ann", now).build());
        VerifiedTokens cache = new VerifiedTokens(SETTINGS);
        assertEquals("ann", cache.verify(token, both, now).userId());

        TokenKeys onlyK2 = TokenKeys.parse("test", TestTokens.publicSet(k2));
        PlayerTokens.Refused refused = assertThrows(PlayerTokens.Refused.class, () -> cache.verify(token, onlyK2, now));
        assertTrue(refused.getMessage().contains("kid"), refused.getMessage());
    }

    @Test
    void aForgedTokenIsNeverAnsweredFromTheCache() {
        OctetKeyPair key = TestTokens.ed25519("k1");
        TokenKeys keys = TokenKeys.parse("test", TestTokens.publicSet(key));
        Instant now = Instant.now();
        String token = TestTokens.sign(key, TestTokens.claims("ann", now).build());
        VerifiedTokens cache = new VerifiedTokens(SETTINGS);
        cache.verify(token, keys, now);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "."
                + TestTokens.sign(key, TestTokens.claims("bob", now).build()).split("\\.")[1] + "."
                + parts[2]; // bob's claims under ann's signature
        assertThrows(PlayerTokens.Refused.class, () -> cache.verify(forged, keys, now));
    }
}
