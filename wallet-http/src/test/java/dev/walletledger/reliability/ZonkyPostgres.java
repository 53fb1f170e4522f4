package dev.walletledger.reliability;

import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * PG-Z: the server's own {@link EmbeddedDatabase} (io.zonky binaries, durable settings) in a temporary
 * directory of this test. Each start may pick another port, so clients reach it through a {@link FaultProxy}.
 */
final class ZonkyPostgres extends PostgresInstance {
    private final Path root;
    private EmbeddedDatabase database;

    private ZonkyPostgres(Path root) {
        this.root = root;
    }

    static ZonkyPostgres create() {
        try {
            ZonkyPostgres postgres = new ZonkyPostgres(Files.createTempDirectory(Path.of("/tmp"), "wallet-pgz-"));
            postgres.start();
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    synchronized void start() {
        if (database != null) {
            try {
                database.close(); // releases the directory lock; its PostgreSQL is already dead after a kill
            } catch (RuntimeException expected) {
                // pg_ctl stop of a killed server fails; the lock is released in any case
            }
        }
        try {
            database = EmbeddedDatabase.startOrAttach(root);
        } catch (RuntimeException e) {
            // What was still running says why PostgreSQL did not come up (its own log went to the test output).
            throw new IllegalStateException(
                    "could not start " + name() + " in " + root + "; PostgreSQL processes now:\n"
                            + run(List.of("ps", "-eo", "pid,ppid,stat,etime,args", "--sort=pid"), false)
                                    .lines()
                                    .filter(line -> line.contains("postgres") || line.contains("PID"))
                                    .limit(50)
                                    .reduce("", (a, b) -> a + b + "\n"),
                    e);
        }
    }

    @Override
    synchronized int port() {
        return database.port();
    }

    @Override
    Path dataDirectory() {
        return root.resolve("postgres");
    }

    @Override
    String name() {
        return "PG-Z (embedded io.zonky)";
    }

    @Override
    public synchronized void close() {
        try {
            try {
                resume();
            } catch (RuntimeException ignored) {
                // not running
            }
            if (database != null) {
                database.close();
            }
        } catch (RuntimeException e) {
            try {
                kill9();
            } catch (RuntimeException ignored) {
                // already gone
            }
        } finally {
            run(List.of("rm", "-rf", root.toString()), false);
        }
    }
}
