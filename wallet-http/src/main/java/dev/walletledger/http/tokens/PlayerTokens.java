package dev.walletledger.http.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.walletledger.core.UserIds;
import dev.walletledger.core.WalletException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The check of a player token: a JWS in compact form, signed by one of {@link TokenKeys} (EdDSA over Ed25519 or
 * ES256, nothing else), naming its key in {@code kid}, for the configured audience, with {@code sub} the player's
 * user id and an {@code exp} within {@link TokenSettings#maxTtlSeconds()}.
 *
 * <p>The order of the checks matters: the length first (nothing is parsed past {@link #TOKEN_CHARS_MAX}), then
 * the header alone (its {@code alg} must be one of the two, which refuses {@code none} and HMAC before any key is
 * looked at: a public key can never be used as an HMAC secret), then the signature with the key the {@code kid}
 * names, and the claims only once the signature holds. Each refusal is a {@link Refused} with a short reason
 * that names no key material and repeats nothing of the token.
 */
public final class PlayerTokens {
    /** A token longer than this is refused before it is parsed. */
    public static final int TOKEN_CHARS_MAX = 4096;

    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.ES256);

    private PlayerTokens() {}

    /**
     * Whose token it is ({@code userId}, NFC), the key that signed it ({@code kid}, for the log), and its
     * {@code exp} in epoch seconds (a cached check is good until then, with the skew).
     */
    public record Player(String userId, String kid, long expiresAtSecond) {}

    /** Why a token was refused: the message is safe to show the caller. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param now the server's clock
     * @throws Refused when the token is malformed, signed by no configured key, or its claims do not hold
     */
    public static Player verify(String token, TokenKeys keys, TokenSettings settings, Instant now) {
        if (token.length() > TOKEN_CHARS_MAX) {
            throw new Refused("the token is longer than " + TOKEN_CHARS_MAX + " characters");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            // alg "none" lands here too: nimbus parses it as an unsecured JWT, which SignedJWT refuses.
            throw new Refused("the token is not a signed JWT in compact form");
        }
        JWSHeader header = jwt.getHeader();
        if (!ACCEPTED.contains(header.getAlgorithm())) {
            throw new Refused("the token's alg must be EdDSA or ES256");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new Refused("the token's header has crit parameters, which this server does not process");
        }
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            throw new Refused("the token's header has no kid");
        }
        TokenKeys.Key key = keys.key(kid);
        if (key == null) {
            throw new Refused("the token's kid names no configured key");
        }
        if (!key.algorithm().equals(header.getAlgorithm())) {
            throw new Refused("the token's alg is not the one its key signs with");
        }
        try {
            if (!jwt.verify(key.verifier())) {
                throw new Refused("the token's signature does not hold");
            }
        } catch (JOSEException | IllegalStateException e) {
            throw new Refused("the token's signature does not hold");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Refused("the token's claims are not a valid JWT claims set");
        }
        long exp = checkTimes(claims, settings, now);
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(settings.audience())) {
            throw new Refused("the token's aud does not name this server (" + settings.audience() + ")");
        }
        if (settings.issuer().isPresent() && !settings.issuer().get().equals(claims.getIssuer())) {
            throw new Refused("the token's iss is not the configured issuer");
        }
        String userId;
        try {
            userId = UserIds.normalized("sub", claims.getSubject());
        } catch (WalletException e) {
            throw new Refused("the token's sub must be a user id (1-100 characters, no control characters)");
        }
        return new Player(userId, kid, exp);
    }

    /** @return {@code exp}, in epoch seconds */
    private static long checkTimes(JWTClaimsSet claims, TokenSettings settings, Instant now) {
        long skew = settings.clockSkewSeconds();
        long nowSeconds = now.getEpochSecond();
        Long exp = seconds(claims.getExpirationTime());
        if (exp == null) {
            throw new Refused("the token has no exp");
        }
        if (nowSeconds >= exp + skew) {
            throw new Refused("the token has expired");
        }
        Long nbf = seconds(claims.getNotBeforeTime());
        if (nbf != null && nowSeconds < nbf - skew) {
            throw new Refused("the token is not valid yet (nbf)");
        }
        Long iat = seconds(claims.getIssueTime());
        if (iat != null && iat > nowSeconds + skew) {
            throw new Refused("the token was issued in the future (iat)");
        }
        long lifetime = exp - (iat != null ? iat : nowSeconds);
        if (lifetime > settings.maxTtlSeconds()) {
            throw new Refused("the token lives longer than " + settings.maxTtlSeconds() + " s (exp - "
                    + (iat != null ? "iat" : "now") + ")");
        }
        return exp;
    }

    private static Long seconds(Date date) {
        return date == null ? null : Math.floorDiv(date.getTime(), 1000L);
    }
}
