package dev.walletledger.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;

/** A ledger over its own schema, with the pool it owns. Close it to release the pool. */
public record TestLedger(Ledger ledger, HikariDataSource dataSource, LedgerConfig config) implements AutoCloseable {
    public String schema() {
        return config.schema();
    }

    /** Closes the ledger and its pool; on a server of the user's, drops the schema too. */
    @Override
    public void close() {
        ledger.close();
        dataSource.close();
        TestDatabase.dropSchema(schema());
    }
}
