package dev.walletledger.cli;

import dev.walletledger.core.Ledger;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The ledger a command works on, and what it took to reach it (a pool, maybe an embedded PostgreSQL
 * started for this run). Opened at most once per run, when a command first needs it, and closed at the end.
 */
interface Database extends AutoCloseable {
    Ledger ledger();

    /** Applies the schema's migrations; returns how many were applied now. */
    int migrate();

    /** Where the ledger lives, for people: a URL without its password, or a data directory. */
    String description();

    /** The pool the ledger uses: for backups, restore points, and dumps. */
    javax.sql.DataSource dataSource();

    /** The embedded PostgreSQL the ledger is on, or empty when the ledger is reached by URL. */
    Optional<dev.walletledger.runtime.EmbeddedDatabase> embedded();

    /** The URL the ledger is reached by, or empty when it is the embedded PostgreSQL. */
    Optional<dev.walletledger.runtime.DatabaseUrl> url();

    @Override
    void close();

    /**
     * Where to connect: a URL ({@code --database-url} or {@code DATABASE_URL}), else the embedded PostgreSQL in
     * {@code dataDirectory}. {@code creating}: the command creates the ledger (migrate), so an absent data directory
     * or schema is expected rather than a mistake. {@code databaseUrlFrom} names where the URL came from
     * ({@code --database-url} or {@code DATABASE_URL}), for the messages about it.
     */
    record Target(
            Optional<String> databaseUrl,
            String databaseUrlFrom,
            Path dataDirectory,
            String schema,
            boolean creating) {}

    /** Opens the database of a target; the real one is {@link PostgresConnector}, tests pass their own. */
    @FunctionalInterface
    interface Connector {
        Database connect(Target target);
    }
}
