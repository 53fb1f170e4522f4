package dev.walletledger.core;

/** Which database answered a read: the primary, or the read replica. */
public enum ReadSource {
    PRIMARY,
    REPLICA
}
