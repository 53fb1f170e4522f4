package dev.walletledger.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A webhook subscription to add ({@link Ledger#addWebhook}): the {@code url} sent each event (http or https, no
 * credentials in it, at most {@value #URL_LENGTH_MAX} characters), the event {@code types} sent (empty: every type;
 * see {@link Event#TYPES}), its {@code secret} in the Standard Webhooks form {@code whsec_<base64 of 24 to 64 bytes>}
 * (empty: one is generated), and the feed cursor to start {@code after} (empty: the feed's end, so only events from
 * now on are sent).
 *
 * <p>Whether the URL's host may be a private, loopback or link-local address is the server's decision, not this
 * record's: see README.md, "Webhooks".
 */
public record WebhookRequest(String url, Set<String> types, Optional<String> secret, Optional<String> after) {
    public static final int URL_LENGTH_MAX = 2_000;
    /** The fewest random bytes a secret holds (192 bits), and the most. */
    public static final int SECRET_BYTES_MIN = 24;

    public static final int SECRET_BYTES_MAX = 64;
    public static final String SECRET_PREFIX = "whsec_";

    public WebhookRequest {
        url = checkedUrl(url);
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
        for (String type : types) {
            if (!Event.TYPES.contains(type)) {
                throw WalletException.invalid("types", "has no event type " + type + "; the types are " + Event.TYPES);
            }
        }
        secret = secret == null ? Optional.empty() : secret;
        secret.ifPresent(WebhookRequest::secretBytes);
        after = after == null ? Optional.empty() : after;
        after.ifPresent(EventQuery::position);
    }

    /** To {@code url}, every event type, a generated secret, from the feed's end. */
    public static WebhookRequest to(String url) {
        return new WebhookRequest(url, Set.of(), Optional.empty(), Optional.empty());
    }

    /** The key a secret names: the bytes after {@code whsec_}, base64-decoded; VALIDATION_FAILED when malformed. */
    public static byte[] secretBytes(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX) || secret.length() > 200) {
            throw WalletException.invalid("secret", "must be whsec_ followed by the base64 of 24 to 64 random bytes");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw WalletException.invalid("secret", "must be whsec_ followed by base64 (" + e.getMessage() + ")");
        }
        if (key.length < SECRET_BYTES_MIN || key.length > SECRET_BYTES_MAX) {
            throw WalletException.invalid(
                    "secret", "must hold 24 to 64 bytes after whsec_ (base64), got " + key.length + " bytes");
        }
        return key;
    }

    private static String checkedUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw WalletException.invalid("url", "is required");
        }
        if (url.length() > URL_LENGTH_MAX) {
            throw WalletException.invalid("url", "is longer than " + URL_LENGTH_MAX + " characters");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw WalletException.invalid("url", "must be plain ASCII without spaces or control characters");
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw WalletException.invalid("url", "is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw WalletException.invalid("url", "must be an http or https URL");
        }
        if (!url.startsWith(scheme + "://")) {
            throw WalletException.invalid("url", "must start with http:// or https:// in lower case");
        }
        if (uri.getRawUserInfo() != null) {
            throw WalletException.invalid("url", "must not hold credentials (user:password@): sign with the secret");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw WalletException.invalid("url", "has no host name");
        }
        if (uri.getRawFragment() != null) {
            throw WalletException.invalid("url", "must not have a fragment (#...)");
        }
        return url;
    }
}
