package dev.walletledger.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * PG-D: Debian's PostgreSQL 15 binaries, run as the {@code postgres} user (PostgreSQL refuses root) in a
 * temporary directory, durable ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes} on),
 * listening on 127.0.0.1 only, trust authentication.
 */
final class DebianPostgres extends PostgresInstance {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path root;
    private final Path data;
    private final int port;
    private volatile String durability = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on";

    private DebianPostgres(Path root, int port) {
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(BIN.resolve("pg_ctl"))
                && Files.isExecutable(Path.of("/usr/sbin/runuser"))
                && "root".equals(System.getProperty("user.name"));
    }

    /** initdb in a fresh directory under /tmp, then start. */
    static DebianPostgres create() {
        try {
            DebianPostgres postgres = fresh("wallet-pgd-");
            postgres.asPostgres(List.of(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    postgres.data.toString(),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-instructions"));
            postgres.start();
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A hot standby of {@code primary}: {@code pg_basebackup -R} of it (streaming the WAL it needs), started
     * on a port of its own; it then streams from the primary as a read replica does.
     */
    static DebianPostgres standbyOf(DebianPostgres primary) {
        try {
            DebianPostgres standby = fresh("wallet-pgd-standby-");
            standby.asPostgres(List.of(
                    BIN.resolve("pg_basebackup").toString(),
                    "-D",
                    standby.data.toString(),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(primary.port),
                    "-U",
                    "postgres",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "-R"));
            standby.start();
            return standby;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new directory under /tmp owned by postgres, and a free port; nothing started. */
    private static DebianPostgres fresh(String prefix) throws IOException {
        Path root = Files.createTempDirectory(Path.of("/tmp"), prefix);
        run(List.of("chown", "postgres:postgres", root.toString()), true);
        return new DebianPostgres(root, freePort());
    }

    @Override
    void start() {
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + root + " " + durability
                + " -c max_connections=100";
        asPostgres(List.of(
                BIN.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                root.resolve("postgres.log").toString(),
                "-o",
                options,
                "-w",
                "-t",
                "120",
                "start"));
    }

    /** A clean stop, then a start with these durability settings ({@code name -> on|off}). */
    void restartWith(String fsync, String synchronousCommit, String fullPageWrites) {
        asPostgres(List.of(
                BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
        durability = "-c fsync=" + fsync + " -c synchronous_commit=" + synchronousCommit + " -c full_page_writes="
                + fullPageWrites;
        start();
    }

    private void asPostgres(List<String> command) {
        List<String> full = new java.util.ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        run(full, true);
    }

    @Override
    int port() {
        return port;
    }

    @Override
    Path dataDirectory() {
        return data;
    }

    @Override
    String name() {
        return "PG-D (Debian PostgreSQL 15)";
    }

    /** Stops it (immediately; a paused one is resumed first), then deletes the directory. */
    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                try {
                    resume();
                    kill9();
                } catch (RuntimeException ignored) {
                    // no postmaster left to stop
                }
            }
        } finally {
            run(List.of("rm", "-rf", root.toString()), false);
        }
    }
}
