package dev.walletledger.runtime;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A process that owns an embedded database, writes one committed row, prints {@code READY <port>} and
 * then waits to be killed (at most two minutes, so a forgotten one ends by itself).
 */
public final class OwnerProcess {
    private OwnerProcess() {}

    public static void main(String[] args) throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(Path.of(args[0]));
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), null);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS survivor (note text)");
            statement.execute("INSERT INTO survivor VALUES ('" + args[1] + "')");
        }
        System.out.println("READY " + database.port());
        System.out.flush();
        Thread.sleep(120_000);
        database.close();
    }
}
