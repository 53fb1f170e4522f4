package dev.walletledger.core;

/** The side of a ledger entry. A wallet's balance is its credits minus its debits. */
public enum Direction {
    DEBIT,
    CREDIT
}
