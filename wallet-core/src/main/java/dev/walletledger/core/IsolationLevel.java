package dev.walletledger.core;

/** The PostgreSQL isolation level write transactions run at. Every invariant holds at each. */
public enum IsolationLevel {
    READ_COMMITTED,
    REPEATABLE_READ,
    SERIALIZABLE
}
