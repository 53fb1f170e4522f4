package dev.walletledger.core;

/** A wallet belongs to a user (created by its first credit) or is one of an asset's system wallets. */
public enum WalletKind {
    USER,
    SYSTEM
}
