package dev.walletledger.core;

/**
 * The check every user id passes (1-100 characters after Unicode NFC normalization, no control characters, no
 * surrounding spaces), for callers outside the ledger that must compare a user id they were given with the ones
 * the ledger stores: a user id in a player's token is held to the same rule as one in a path.
 */
public final class UserIds {
    private UserIds() {}

    /**
     * {@code value} in the form the ledger stores it (NFC).
     *
     * @throws WalletException {@code VALIDATION_FAILED} naming {@code field} when it is not a valid user id
     */
    public static String normalized(String field, String value) {
        return Checks.identifier(field, value);
    }
}
