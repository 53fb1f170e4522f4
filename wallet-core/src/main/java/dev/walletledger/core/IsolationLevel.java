package dev.walletledger.core;

import java.sql.Connection;

/** The PostgreSQL isolation level write transactions run at. Every invariant holds at each. */
public enum IsolationLevel {
    READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
    REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
    SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

    private final int jdbcLevel;

    IsolationLevel(int jdbcLevel) {
        this.jdbcLevel = jdbcLevel;
    }

    /** The {@link Connection} constant for this level. */
    public int jdbcLevel() {
        return jdbcLevel;
    }
}
