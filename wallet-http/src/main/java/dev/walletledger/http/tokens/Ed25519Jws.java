package dev.walletledger.http.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * EdDSA over Ed25519 for JWS, on the JDK's own {@code Signature.getInstance("Ed25519")} (Java 15+).
 *
 * <p>Why not nimbus's {@code Ed25519Verifier}: it calls Google Tink, a large dependency (with protobuf) for one
 * signature check the JDK already does. nimbus still does everything else: parsing the compact form, the header,
 * the claims, and handing this class the signing input and the signature. A JWK's {@code x} (and {@code d}) are
 * the raw 32-byte keys of RFC 8037; the JDK takes them wrapped in their fixed X.509 and PKCS#8 DER prefixes.
 */
public final class Ed25519Jws {
    /** SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112) up to the 32 key bytes. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    /** PrivateKeyInfo for Ed25519 up to the 32 seed bytes. */
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private static final int KEY_BYTES = 32;
    private static final int SIGNATURE_BYTES = 64;

    private Ed25519Jws() {}

    /** The JDK public key of an Ed25519 OKP JWK. */
    public static PublicKey publicKey(OctetKeyPair jwk) {
        requireEd25519(jwk);
        byte[] x = jwk.getX().decode();
        if (x.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 key's x is 32 bytes, this one " + x.length);
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, x)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The JDK private key of an Ed25519 OKP JWK that has its {@code d}. */
    public static PrivateKey privateKey(OctetKeyPair jwk) {
        requireEd25519(jwk);
        if (jwk.getD() == null) {
            throw new IllegalArgumentException("the key has no private part (d)");
        }
        byte[] d = jwk.getD().decode();
        if (d.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 key's d is 32 bytes, this one " + d.length);
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, d)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(d, (byte) 0);
        }
    }

    /** A new Ed25519 key pair as an OKP JWK with {@code kid} (private: holds {@code d}). */
    public static OctetKeyPair generate(String kid) {
        try {
            java.security.KeyPair pair =
                    java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] x = tail(pair.getPublic().getEncoded(), X509_PREFIX);
            byte[] d = tail(pair.getPrivate().getEncoded(), PKCS8_PREFIX);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x))
                    .d(Base64URL.encode(d))
                    .keyID(kid)
                    .algorithm(JWSAlgorithm.EdDSA)
                    .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        }
    }

    private static byte[] tail(byte[] encoded, byte[] prefix) {
        if (encoded.length != prefix.length + KEY_BYTES
                || !Arrays.equals(Arrays.copyOf(encoded, prefix.length), prefix)) {
            throw new IllegalStateException("unexpected Ed25519 key encoding");
        }
        return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
    }

    private static void requireEd25519(OctetKeyPair jwk) {
        if (!Curve.Ed25519.equals(jwk.getCurve())) {
            throw new IllegalArgumentException(
                    "only the Ed25519 curve is accepted for OKP keys, not " + jwk.getCurve());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Checks EdDSA signatures with one Ed25519 public key. */
    public static final class Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        public Verifier(PublicKey key) {
            this.key = key;
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                return false;
            }
            byte[] bytes = signature.decode();
            if (bytes.length != SIGNATURE_BYTES) {
                return false;
            }
            try {
                Signature check = Signature.getInstance("Ed25519");
                check.initVerify(key);
                check.update(signingInput);
                return check.verify(bytes);
            } catch (java.security.SignatureException malformed) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    /** Makes EdDSA signatures with one Ed25519 private key (for {@code wallet tokens mint} and tests). */
    public static final class Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext jca = new JCAContext();

        public Signer(PrivateKey key) {
            this.key = key;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                throw new JOSEException("this signer makes EdDSA signatures only");
            }
            try {
                Signature sign = Signature.getInstance("Ed25519");
                sign.initSign(key);
                sign.update(signingInput);
                return Base64URL.encode(sign.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
