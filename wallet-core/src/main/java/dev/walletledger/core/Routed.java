package dev.walletledger.core;

/** A read's answer and the database it came from ({@link Ledger#reads(Position)}). */
public record Routed<T>(T value, ReadSource source) {}
