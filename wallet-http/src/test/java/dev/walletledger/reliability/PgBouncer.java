package dev.walletledger.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PgBouncer in front of a PostgreSQL of the test's own, as a user would run it: one database entry,
 * trust authentication on loopback, the pool mode given, and {@code extra_float_digits} (which the JDBC
 * driver sends at login) among the ignored startup parameters. It runs as the {@code postgres} user (it
 * refuses root) and is killed on close.
 */
final class PgBouncer implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private final Path root;
    private final int port;
    private final Process process;

    private PgBouncer(Path root, int port, Process process) {
        this.root = root;
        this.port = port;
        this.process = process;
    }

    static boolean available() {
        return Files.isExecutable(BINARY) && DebianPostgres.available();
    }

    /** The configuration the deployment guide shows, with this run's ports. */
    static String ini(int port, int postgresPort, String poolMode, Path root, int serverConnections) {
        return """
                [databases]
                postgres = host=127.0.0.1 port=%2$d dbname=postgres user=postgres

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %1$d
                unix_socket_dir =
                auth_type = trust
                auth_file = %4$s/userlist.txt
                pool_mode = %3$s
                default_pool_size = %5$d
                max_client_conn = 500
                ignore_startup_parameters = extra_float_digits
                server_reset_query =
                logfile = %4$s/pgbouncer.log
                pidfile = %4$s/pgbouncer.pid
                """.formatted(port, postgresPort, poolMode, root, serverConnections);
    }

    /**
     * @param serverConnections PgBouncer's {@code default_pool_size}: fewer than the server's pool, so each
     *                          transaction may land on any server connection, as under real load
     */
    static PgBouncer start(int postgresPort, String poolMode, int serverConnections) {
        try {
            Path root = Files.createTempDirectory(Path.of("/tmp"), "wallet-pgbouncer-");
            int port = PostgresInstance.freePort();
            Files.writeString(
                    root.resolve("pgbouncer.ini"), ini(port, postgresPort, poolMode, root, serverConnections));
            Files.writeString(root.resolve("userlist.txt"), "\"postgres\" \"\"\n");
            PostgresInstance.run(List.of("chown", "-R", "postgres:postgres", root.toString()), true);
            Process process = new ProcessBuilder(
                            "runuser",
                            "-u",
                            "postgres",
                            "--",
                            BINARY.toString(),
                            root.resolve("pgbouncer.ini").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(root.resolve("stdout.log").toFile())
                    .start();
            PgBouncer bouncer = new PgBouncer(root, port, process);
            bouncer.awaitListening();
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    break;
                }
                BankWorkload.sleep(100);
            }
        }
        throw new IllegalStateException("PgBouncer did not start: " + log());
    }

    int port() {
        return port;
    }

    String log() {
        try {
            Path log = root.resolve("pgbouncer.log");
            String text = Files.exists(log) ? Files.readString(log) : "";
            Path stdout = root.resolve("stdout.log");
            return text + (Files.exists(stdout) ? Files.readString(stdout) : "");
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PostgresInstance.run(List.of("rm", "-rf", root.toString()), false);
    }
}
