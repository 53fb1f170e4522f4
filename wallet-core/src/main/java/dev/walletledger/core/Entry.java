package dev.walletledger.core;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One posting of a ledger transaction. {@code owner} is the user id of a USER wallet or the role
 * ({@link SystemWallet}) of a SYSTEM wallet; {@code account} is which of the owner's accounts in the asset it
 * posts to ({@code main} for a plain balance; SYSTEM wallets have only {@code main}). Only USER entries carry
 * the account's balance after the entry; SYSTEM wallets keep no running balance (theirs is the sum of their
 * entries). {@code amount} is 1 to {@link Operation#AMOUNT_MAX}, or 0 on the USER posting of a chargeback that
 * could recover nothing.
 */
public record Entry(
        long walletId,
        WalletKind walletKind,
        String owner,
        String account,
        Direction direction,
        long amount,
        OptionalLong balanceAfter) {
    public Entry {
        Objects.requireNonNull(walletKind, "walletKind");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(balanceAfter, "balanceAfter");
    }
}
