package dev.walletledger.http;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.walletledger.http.tokens.Ed25519Jws;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Signing keys and tokens for tests: what a game's backend would do with nimbus. */
final class TestTokens {
    private TestTokens() {}

    static OctetKeyPair ed25519(String kid) {
        return Ed25519Jws.generate(kid);
    }

    static ECKey p256(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public JWK Set of {@code keys}: the server's WALLET_TOKEN_KEYS_FILE. */
    static String publicSet(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString(true);
    }

    /** Claims for {@code user}: audience wallet-ledger, issued now, expiring in 15 minutes. */
    static JWTClaimsSet.Builder claims(String user, Instant now) {
        return new JWTClaimsSet.Builder()
                .subject(user)
                .audience("wallet-ledger")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(900)));
    }

    static String sign(JWK key, JWTClaimsSet claims) {
        return sign(key, header(key).build(), claims);
    }

    static JWSHeader.Builder header(JWK key) {
        JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.EdDSA;
        return new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
    }

    static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof ECKey ec
                    ? new ECDSASigner(ec)
                    : new Ed25519Jws.Signer(Ed25519Jws.privateKey((OctetKeyPair) key));
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
