package dev.walletledger.core.internal;

import dev.walletledger.core.LotClass;
import dev.walletledger.core.Operation;
import java.util.Collection;

/**
 * The engine's one rule for accounts: a user's wallet in an asset is one or more accounts, and this says which
 * account a credit lands in and which accounts make up what the ledger calls the user's balance. Every user
 * posting, every balance in an answer and every balance read goes through it. The rule: every account but
 * {@link #HELD} is a lot ({@link Lots}) and counts toward the balance; a top-up credits the paid lot of its
 * expiry, a bonus the free lot of its expiry, a credit adjustment the free lot that never expires. Which lots a
 * debit takes is the asset's spend order ({@link Plan}). The held account is shown beside the balance and never
 * counted in it.
 */
interface Accounts {
    /** The paid lot that never expires; also the account that guards the others (see {@link Locks}). */
    String MAIN = "main";

    /**
     * The account of a wallet's open holds: what they reserved and still hold, never part of the balance. Only the
     * hold movements post to it (see V4).
     */
    String HELD = "held";

    /** The free lot that never expires. */
    String FREE = "free";

    /** The rule above. */
    Accounts LOTS = new Accounts() {};

    /** The account a top-up, bonus or credit adjustment credits for its user. */
    default String credited(Operation operation) {
        if (operation instanceof Operation.TopUp o) {
            return Lots.account(LotClass.PAID, o.expiresAt());
        }
        if (operation instanceof Operation.Bonus o) {
            return Lots.account(LotClass.FREE, o.expiresAt());
        }
        return FREE;
    }

    /** Whether the account's coins are part of the user's balance. */
    default boolean counted(String account) {
        return Lots.isLot(account);
    }

    /**
     * All the accounts that count, when they are a fixed set (then a transaction that posts to all of them has
     * every balance a reader needs); empty when any account may count, as lots may.
     */
    default java.util.Optional<java.util.Set<String>> countedAccounts() {
        return java.util.Optional.empty();
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
