package dev.walletledger.core;

/**
 * The SYSTEM wallets every asset has. They may go negative (the TREASURY issues currency), need no
 * balance check, and store no balance: theirs is the sum of their entries.
 */
public enum SystemWallet {
    TREASURY,
    BONUS_POOL,
    REVENUE
}
