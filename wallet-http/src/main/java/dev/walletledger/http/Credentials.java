package dev.walletledger.http;

import dev.walletledger.http.tokens.TokenKeys;
import java.util.Objects;

/**
 * The keys in force at one moment: the API keys and the public keys that sign player tokens. The server holds
 * one in an {@link java.util.concurrent.atomic.AtomicReference} that {@link KeyFileWatcher} swaps whole when a key
 * file changes, so a request sees either the old keys or the new ones, never half of each.
 */
record Credentials(ApiKeys apiKeys, TokenKeys tokenKeys) {
    Credentials {
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(tokenKeys, "tokenKeys");
    }

    Credentials withApiKeys(ApiKeys keys) {
        return new Credentials(keys, tokenKeys);
    }

    Credentials withTokenKeys(TokenKeys keys) {
        return new Credentials(apiKeys, keys);
    }
}
