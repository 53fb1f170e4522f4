package dev.walletledger.core.internal;

import dev.walletledger.core.Operation;
import java.util.Collection;

/**
 * The engine's one rule for accounts: a user's wallet in an asset is one or more accounts, and this says
 * which account each movement credits or debits and which accounts make up what the ledger calls the user's
 * balance. Every user posting, every mirror of one, every balance in an answer and every balance read goes
 * through it. Today's rule: {@code main} for every movement and the balance; the holds' own movements post
 * to {@link #HELD} as well, which is shown beside the balance and never counted in it.
 */
interface Accounts {
    /** The account of a user's plain balance; also the account that guards the others (see {@link Locks}). */
    String MAIN = "main";

    /**
     * The account of a wallet's open holds: what they reserved and still hold, never part of the balance. Only the
     * hold movements post to it (see V4).
     */
    String HELD = "held";

    /** Everything in {@code main}. */
    Accounts MAIN_ONLY = new Accounts() {};

    /** The account {@code operation} credits for {@code owner}. */
    default String credited(Operation operation, String owner) {
        return MAIN;
    }

    /** The account {@code operation} debits for {@code owner}. */
    default String debited(Operation operation, String owner) {
        return MAIN;
    }

    /** Whether the account's coins are part of the user's balance. */
    default boolean counted(String account) {
        return account.equals(MAIN);
    }

    /**
     * All the accounts that count, when they are a fixed set (then a transaction that posts to all of them has
     * every balance a reader needs); empty when any account may count.
     */
    default java.util.Optional<java.util.Set<String>> countedAccounts() {
        return java.util.Optional.of(java.util.Set.of(MAIN));
    }

    /** The user's balance: the sum over the accounts that count. */
    default long balance(Collection<Plan.LockedWallet> accountsOfOneUser) {
        long total = 0;
        for (Plan.LockedWallet wallet : accountsOfOneUser) {
            if (counted(wallet.key.account())) {
                total = Math.addExact(total, wallet.balance);
            }
        }
        return total;
    }
}
