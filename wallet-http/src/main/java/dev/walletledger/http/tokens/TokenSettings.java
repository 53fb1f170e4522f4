package dev.walletledger.http.tokens;

import java.util.Objects;
import java.util.Optional;

/**
 * What a player token must say besides its signature: the audience it names ({@code WALLET_TOKEN_AUDIENCE}), the
 * issuer when one is configured ({@code WALLET_TOKEN_ISSUER}), how far the clocks of the issuer and this server
 * may disagree ({@code WALLET_TOKEN_CLOCK_SKEW_SECONDS}, 0-300), and the longest lifetime a token may have
 * ({@code WALLET_TOKEN_MAX_TTL_SECONDS}, 1 s to 7 days): a long-lived token that leaks is refused outright,
 * whoever signed it.
 */
public record TokenSettings(String audience, Optional<String> issuer, int clockSkewSeconds, int maxTtlSeconds) {
    public static final String AUDIENCE_DEFAULT = "wallet-ledger";
    public static final int CLOCK_SKEW_SECONDS_DEFAULT = 30;
    public static final int CLOCK_SKEW_SECONDS_MAX = 300;
    public static final int MAX_TTL_SECONDS_DEFAULT = 24 * 60 * 60;
    public static final int MAX_TTL_SECONDS_MAX = 7 * 24 * 60 * 60;
    /** Audiences and issuers are short names or URLs; longer text is a mistake. */
    private static final int NAME_CHARS_MAX = 256;

    public TokenSettings {
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(issuer, "issuer");
        if (audience.isBlank() || audience.length() > NAME_CHARS_MAX) {
            throw new IllegalArgumentException("WALLET_TOKEN_AUDIENCE must be 1-" + NAME_CHARS_MAX + " characters");
        }
        if (issuer.isPresent() && (issuer.get().isBlank() || issuer.get().length() > NAME_CHARS_MAX)) {
            throw new IllegalArgumentException("WALLET_TOKEN_ISSUER must be 1-" + NAME_CHARS_MAX + " characters");
        }
        if (clockSkewSeconds < 0 || clockSkewSeconds > CLOCK_SKEW_SECONDS_MAX) {
            throw new IllegalArgumentException(
                    "WALLET_TOKEN_CLOCK_SKEW_SECONDS must be from 0 to " + CLOCK_SKEW_SECONDS_MAX);
        }
        if (maxTtlSeconds < 1 || maxTtlSeconds > MAX_TTL_SECONDS_MAX) {
            throw new IllegalArgumentException(
                    "WALLET_TOKEN_MAX_TTL_SECONDS must be from 1 to " + MAX_TTL_SECONDS_MAX + " (7 days)");
        }
    }

    public static TokenSettings defaults() {
        return new TokenSettings(
                AUDIENCE_DEFAULT, Optional.empty(), CLOCK_SKEW_SECONDS_DEFAULT, MAX_TTL_SECONDS_DEFAULT);
    }
}
