package dev.walletledger.core;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One posting of a ledger transaction. {@code owner} is the user id of a USER wallet or the role
 * ({@link SystemWallet}) of a SYSTEM wallet. Only USER entries carry the wallet's balance after the entry;
 * SYSTEM wallets keep no running balance (theirs is the sum of their entries). {@code amount} is 1 to
 * {@link Operation#AMOUNT_MAX}, or 0 on the USER posting of a chargeback that could recover nothing.
 */
public record Entry(
        long walletId,
        WalletKind walletKind,
        String owner,
        Direction direction,
        long amount,
        OptionalLong balanceAfter) {
    public Entry {
        Objects.requireNonNull(walletKind, "walletKind");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(balanceAfter, "balanceAfter");
    }
}
