package dev.walletledger.http.tokens;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.io.IOException;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The public keys that sign player tokens, from a JWK Set ({@code {"keys": [...]}}, RFC 7517) such as
 * {@code wallet tokens keygen} prints: Ed25519 ({@code "kty": "OKP", "crv": "Ed25519"}, alg EdDSA) and P-256
 * ({@code "kty": "EC", "crv": "P-256"}, alg ES256) keys only, each with its own {@code kid}. A token names its
 * key by {@code kid}, so keys rotate by adding the new one, moving the issuer to it, and removing the old one
 * once its tokens have expired.
 *
 * <p>The file is refused whole, naming the line, when a key holds private members (whoever can read the
 * server's configuration could then mint tokens), has no or a repeated {@code kid}, or is of another type,
 * curve, {@code alg} or {@code use}.
 */
public final class TokenKeys {
    /** Key ids: 1-64 of letters, digits, {@code .}, {@code _} and {@code -}. */
    public static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** More signing keys than rotation ever needs; bounds what the file can make the server hold. */
    public static final int KEYS_MAX = 100;

    /** A member given twice is refused: which of the two counts must never be a guess. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** One signing key: its id, the one algorithm it signs with, and the check of that signature. */
    public record Key(String kid, JWSAlgorithm algorithm, JWSVerifier verifier) {
        public Key {
            Objects.requireNonNull(kid, "kid");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(verifier, "verifier");
        }

        @Override
        public String toString() {
            return kid + " " + algorithm;
        }
    }

    private final Map<String, Key> byKid;

    private TokenKeys(Map<String, Key> byKid) {
        this.byKid = Map.copyOf(byKid);
    }

    public static TokenKeys none() {
        return new TokenKeys(Map.of());
    }

    public boolean isEmpty() {
        return byKid.isEmpty();
    }

    public int size() {
        return byKid.size();
    }

    /** The key ids, sorted. */
    public List<String> ids() {
        return byKid.keySet().stream().sorted().toList();
    }

    /** The key with this id, or null. */
    Key key(String kid) {
        return byKid.get(kid);
    }

    /**
     * @param where what to call the text in messages, e.g. {@code "WALLET_TOKEN_KEYS_FILE /etc/wallet/jwks.json"}
     * @throws IllegalArgumentException naming {@code where}, the line and the key id; never echoing key material
     */
    public static TokenKeys parse(String where, String text) {
        Map<String, Key> byKid = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(
                        where + " line " + line(parser) + ": expected a JWK Set, {\"keys\": [...]}");
            }
            boolean sawKeys = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!name.equals("keys")) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY || sawKeys) {
                    throw new IllegalArgumentException(
                            where + " line " + line(parser) + ": \"keys\" must be one array of JWKs");
                }
                sawKeys = true;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String at = where + " line " + line(parser);
                    if (parser.currentToken() != JsonToken.START_OBJECT) {
                        throw new IllegalArgumentException(at + ": each key must be a JSON object");
                    }
                    JsonNode node = JSON.readTree(parser);
                    Key key = key(at, node);
                    if (byKid.putIfAbsent(key.kid(), key) != null) {
                        throw new IllegalArgumentException(at + ": kid " + key.kid() + " is in the set twice");
                    }
                    if (byKid.size() > KEYS_MAX) {
                        throw new IllegalArgumentException(at + ": more than " + KEYS_MAX + " keys");
                    }
                }
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException(where + " line " + line(parser) + ": text after the JWK Set");
            }
            if (!sawKeys) {
                throw new IllegalArgumentException(where + ": the JWK Set has no \"keys\" array");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    where + " line " + e.getLocation().getLineNr() + ": not valid JSON ("
                            + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot be read: " + e.getMessage());
        }
        return new TokenKeys(byKid);
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    private static Key key(String at, JsonNode node) {
        String kid = node.path("kid").isTextual() ? node.get("kid").asText() : null;
        if (kid == null || !KID.matcher(kid).matches()) {
            throw new IllegalArgumentException(at + ": every key needs a \"kid\" of 1-64 of A-Z, a-z, 0-9, ., _"
                    + " and -, which tokens name in their header");
        }
        at = at + " (kid " + kid + ")";
        for (String secret : List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k")) {
            if (node.has(secret)) {
                throw new IllegalArgumentException(at + ": the key holds private members (\"" + secret
                        + "\"): this file takes public keys only; keep the private key with the token issuer");
            }
        }
        JWK jwk;
        try {
            jwk = JWK.parse(JSON.writeValueAsString(node));
        } catch (ParseException | JsonProcessingException e) {
            throw new IllegalArgumentException(at + ": not a valid JWK (" + e.getMessage() + ")");
        }
        if (jwk.isPrivate()) { // a member the list above missed: refused all the same
            throw new IllegalArgumentException(
                    at + ": the key holds private members: this file takes public keys" + " only");
        }
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            throw new IllegalArgumentException(at + ": \"use\" must be \"sig\" when given");
        }
        JWSAlgorithm algorithm;
        JWSVerifier verifier;
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            algorithm = JWSAlgorithm.EdDSA;
            verifier = new Ed25519Jws.Verifier(Ed25519Jws.publicKey(okp));
        } else if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            algorithm = JWSAlgorithm.ES256;
            try {
                verifier = new ECDSAVerifier(ec);
            } catch (JOSEException e) {
                throw new IllegalArgumentException(at + ": not a usable P-256 key (" + e.getMessage() + ")");
            }
        } else {
            throw new IllegalArgumentException(
                    at + ": only Ed25519 (kty OKP, crv Ed25519) and P-256 (kty EC, crv" + " P-256) keys are accepted");
        }
        if (jwk.getAlgorithm() != null
                && !algorithm.getName().equals(jwk.getAlgorithm().getName())) {
            throw new IllegalArgumentException(
                    at + ": \"alg\" is " + jwk.getAlgorithm().getName() + ", but this key signs " + algorithm);
        }
        return new Key(kid, algorithm, verifier);
    }

    @Override
    public String toString() {
        return "TokenKeys" + byKid.values();
    }
}
