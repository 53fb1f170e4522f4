package dev.walletledger.core;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One side of a ledger transaction. {@code owner} is the user id of a USER wallet or the role
 * (TREASURY, BONUS_POOL, REVENUE) of a SYSTEM wallet. Only USER entries carry the wallet's balance after
 * the entry; SYSTEM wallets keep no running balance (theirs is the sum of their entries).
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
