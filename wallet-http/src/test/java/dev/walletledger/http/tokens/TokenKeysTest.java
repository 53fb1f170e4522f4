package dev.walletledger.http.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the token keys file accepts, and how it names what it refuses (file, line, kid; never key material). */
class TokenKeysTest {
    private static final String WHERE = "WALLET_TOKEN_KEYS_FILE jwks.json";

    @Test
    void acceptsEd25519AndP256PublicKeys() throws Exception {
        OctetKeyPair ed = Ed25519Jws.generate("ed");
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        TokenKeys keys = TokenKeys.parse(
                WHERE,
                "{\"keys\": [" + ed.toPublicJWK().toJSONString() + ", "
                        + ec.toPublicJWK().toJSONString() + "]}");
        assertEquals(List.of("ec", "ed"), keys.ids());
        assertEquals("EdDSA", keys.key("ed").algorithm().getName());
        assertEquals("ES256", keys.key("ec").algorithm().getName());
        assertTrue(TokenKeys.parse(WHERE, "{\"keys\": []}").isEmpty());
    }

    @Test
    void refusesWhatCouldMintTokensOrIsNotOneOfTheTwoAlgorithms() throws Exception {
        OctetKeyPair ed = Ed25519Jws.generate("ed");
        String publicEd = ed.toPublicJWK().toJSONString();
        String[][] cases = {
            {"{\"keys\": [" + ed.toJSONString() + "]}", "line 1 (kid ed): the key holds private members (\"d\")"},
            {
                "{\"keys\": ["
                        + new ECKeyGenerator(Curve.P_256).keyID("ec").generate().toJSONString() + "]}",
                "private members"
            },
            {"{\"keys\": [{\"kty\": \"oct\", \"kid\": \"h\", \"k\": \"c2VjcmV0\"}]}", "private members (\"k\")"},
            {
                "{\"keys\": ["
                        + new RSAKeyGenerator(2048)
                                .keyID("rsa")
                                .generate()
                                .toPublicJWK()
                                .toJSONString() + "]}",
                "only Ed25519"
            },
            {
                "{\"keys\": ["
                        + new ECKeyGenerator(Curve.P_384)
                                .keyID("p384")
                                .generate()
                                .toPublicJWK()
                                .toJSONString() + "]}",
                "only Ed25519"
            },
            {"{\"keys\": [" + publicEd.replace("\"kid\":\"ed\",", "") + "]}", "needs a \"kid\""},
            {"{\"keys\": [" + publicEd + ",\n" + publicEd + "]}", "line 2: kid ed is in the set twice"},
            {"{\"keys\": [" + publicEd.replace("\"alg\":\"EdDSA\"", "\"alg\":\"ES256\"") + "]}", "\"alg\" is ES256"},
            {"{\"keys\": [" + publicEd.replace("\"use\":\"sig\"", "\"use\":\"enc\"") + "]}", "\"use\" must be"},
            {"{\n\"keys\": [\n{\"kty\": }\n]}", "line 3: not valid JSON"},
            {"[]", "line 1: expected a JWK Set"},
            {"{\"other\": 1}", "no \"keys\" array"},
            {"{\"keys\": [1]}", "each key must be a JSON object"},
            {"{\"keys\": []} {}", "text after the JWK Set"},
            {"{\"keys\": [" + publicEd.replace("\"kty\"", "\"alg\":\"ES256\",\"kty\"") + "]}", "not valid JSON"},
            {"{\"keys\": [], \"keys\": [" + publicEd + "]}", "not valid JSON"},
            {"{\"keys\": [" + publicEd.replace("\"kty\"", "\"x\":\"AAAA\",\"kty\"") + "]}", "not valid JSON"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> TokenKeys.parse(WHERE, c[0]), c[1]);
            assertTrue(e.getMessage().startsWith(WHERE), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
            assertTrue(!e.getMessage().contains(ed.getD().toString()), "never the private key: " + e.getMessage());
        }
    }
}
