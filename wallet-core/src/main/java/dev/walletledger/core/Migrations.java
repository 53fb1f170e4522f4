package dev.walletledger.core;

import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** Runs the ledger's Flyway migrations ({@code sql/V*.sql}, shipped in this jar under db/wallet-ledger). */
final class Migrations {
    static final String LOCATION = "classpath:db/wallet-ledger";

    private Migrations() {}

    static int migrate(DataSource dataSource, String schema) {
        try {
            return Flyway.configure(Migrations.class.getClassLoader())
                    .dataSource(dataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .locations(LOCATION)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate()
                    .migrationsExecuted;
        } catch (FlywayException e) {
            throw WalletException.of(
                    ErrorCode.STORAGE_UNAVAILABLE,
                    "migrating schema " + schema + " failed: " + e.getMessage(),
                    Map.of("schema", schema),
                    e);
        }
    }
}
