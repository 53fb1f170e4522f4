package dev.walletledger.core;

/**
 * A wallet's status, one of its controls. {@link #FROZEN} refuses what takes coins out (spends, transfers out, new
 * holds); {@link #CLOSED} refuses every user operation. Neither ever blocks what gives money back or settles what
 * is owed: reversals, chargebacks, adjustments, voids, expiries; a frozen wallet still captures its holds.
 */
public enum WalletStatus {
    ACTIVE,
    FROZEN,
    CLOSED
}
