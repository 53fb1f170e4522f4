package dev.walletledger.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A PostgreSQL whose data lives in a directory of ours ({@value #DEFAULT_DIRECTORY} by default), started
 * from the io.zonky binaries, configured durably ({@code fsync}, {@code synchronous_commit} and
 * {@code full_page_writes} on; zonky's defaults turn the first two off).
 *
 * <p>Layout of the directory: {@code wallet.lock} (held by the owning process while it runs),
 * {@code postgres/} (PGDATA), {@code initialized} (written once the first start succeeded, so an
 * initdb interrupted half way is redone rather than trusted).
 *
 * <p>{@link #startOrAttach} decides who runs PostgreSQL:
 * <ul>
 *   <li>another live process holds {@code wallet.lock}: attach to its PostgreSQL (port from
 *       {@code postmaster.pid}), and leave it running on {@link #close()};</li>
 *   <li>nobody holds the lock: become the owner. A postmaster still running on the directory is an
 *       orphan of an owner that was killed (kill -9 leaves PostgreSQL running): it is shut down (fast,
 *       then immediate) and started again with our settings. A {@code postmaster.pid} naming a dead or
 *       foreign process is removed. Then PostgreSQL starts; crash recovery replays the WAL.</li>
 * </ul>
 * Database {@code postgres}, superuser {@code postgres}, trust authentication, listening on localhost only.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final Path DEFAULT_DIRECTORY = Path.of("wallet-data");
    public static final String USER = "postgres";
    /** PostgreSQL's own data directory (PGDATA), inside the wallet data directory. */
    private static final String PGDATA = "postgres";
    /** Written once initdb finished: a PGDATA without it is a first start that did not complete. */
    private static final String INITIALIZED = "initialized";

    /** Bounds every wait: crash recovery of a large WAL can take a while, a hang must not last forever. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);

    private static final Duration ATTACH_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_FAST_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_IMMEDIATE_WAIT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 100;

    private final Path directory;
    private final int port;
    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private EmbeddedDatabase(
            Path directory, int port, EmbeddedPostgres postgres, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.port = port;
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static EmbeddedDatabase startOrAttach(Path directory) {
        return startOrAttach(directory, message -> {});
    }

    /**
     * Starts PostgreSQL on {@code directory}, or attaches to the one another live process of ours runs there.
     *
     * @param notices told about what was found and done (orphan stopped, stale pid file removed...)
     * @throws IllegalStateException when PostgreSQL could not be started or attached to in bounded time
     */
    public static EmbeddedDatabase startOrAttach(Path directory, Consumer<String> notices) {
        return startOrAttach(directory, notices, null);
    }

    /**
     * As {@link #startOrAttach(Path, Consumer)}, and when this process starts PostgreSQL, sets its WAL
     * archiving: {@code archive} on, {@link WalArchive#OFF}, or null to keep what the directory has (a
     * command-line tool starting the server's PostgreSQL keeps archiving as the server set it).
     */
    public static EmbeddedDatabase startOrAttach(Path directory, Consumer<String> notices, WalArchive archive) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(notices, "notices");
        Path absolute = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
            FileChannel channel = FileChannel.open(
                    absolute.resolve("wallet.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                channel.close();
                return attach(absolute, notices);
            }
            try {
                return start(absolute, channel, lock, notices, archive);
            } catch (RuntimeException | IOException e) {
                lock.release();
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL in " + absolute, e);
        }
    }

    /** Null when another process, or this one, holds the lock. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this JVM already owns the directory: attach like any other process
        }
    }

    private static EmbeddedDatabase attach(Path directory, Consumer<String> notices) {
        Path pidFile = pgData(directory).resolve("postmaster.pid");
        long deadline = System.nanoTime() + ATTACH_WAIT.toNanos();
        String lastProblem = "no postmaster.pid yet";
        while (System.nanoTime() < deadline) { // bounded: the owner may still be starting PostgreSQL
            OptionalInt port =
                    PostmasterPid.read(pidFile).map(PostmasterPid::port).orElse(OptionalInt.empty());
            if (port.isPresent()) {
                try {
                    ping(jdbcUrl(port.getAsInt()));
                    notices.accept("attached to the PostgreSQL of another process on port " + port.getAsInt());
                    return new EmbeddedDatabase(directory, port.getAsInt(), null, null, null);
                } catch (SQLException e) {
                    lastProblem = e.getMessage();
                }
            }
            sleep(POLL_MILLIS);
        }
        throw new IllegalStateException("another process holds " + directory.resolve("wallet.lock")
                + " but its PostgreSQL did not answer within " + ATTACH_WAIT.toSeconds() + " s: " + lastProblem);
    }

    private static EmbeddedDatabase start(
            Path directory, FileChannel channel, FileLock lock, Consumer<String> notices, WalArchive archive)
            throws IOException {
        Path data = pgData(directory);
        Path initialized = directory.resolve(INITIALIZED);
        if (Files.exists(data) && !Files.exists(initialized)) {
            // Only our own first start can leave PGDATA without the marker: an initdb that did not finish.
            notices.accept("removing " + data + ": its initdb did not finish");
            deleteTree(data);
        }
        recoverFromDeadOwner(data.resolve("postmaster.pid"), notices);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (archive != null) {
            // On the command line too: archive_mode only changes at a start, and the include file is written
            // after it (on the first start PostgreSQL's own configuration does not exist yet).
            builder.setServerConfig("archive_mode", archive.enabled() ? "on" : "off");
        }
        EmbeddedPostgres postgres = builder.setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false) // the owner stops it after its own work is done
                .setPGStartupWait(STARTUP_WAIT)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("max_connections", "100")
                .start();
        if (archive != null) {
            try {
                if (archive.apply(directory, data)) {
                    reload(postgres.getPort());
                }
            } catch (IOException | SQLException | RuntimeException e) {
                postgres.close();
                throw new IllegalStateException("could not set up WAL archiving: " + e.getMessage(), e);
            }
        }
        if (!Files.exists(initialized)) {
            Files.write(
                    initialized,
                    "PostgreSQL data directory initialized\n".getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
        }
        return new EmbeddedDatabase(directory, postgres.getPort(), postgres, channel, lock);
    }

    /** Stops a postmaster left running by a killed owner; removes a pid file naming no postmaster. */
    private static void recoverFromDeadOwner(Path pidFile, Consumer<String> notices) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<PostmasterPid> pid = PostmasterPid.read(pidFile);
        if (pid.isEmpty()) {
            // We own the directory, so no postmaster of ours is writing it now: a torn write of a killed one.
            notices.accept("removing unreadable " + pidFile);
            Files.deleteIfExists(pidFile);
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get().pid()).filter(EmbeddedDatabase::isPostgres);
        if (process.isEmpty()) {
            notices.accept(
                    "removing stale " + pidFile + " (process " + pid.get().pid() + " is not running)");
            Files.deleteIfExists(pidFile);
            return;
        }
        notices.accept("stopping orphaned PostgreSQL " + pid.get().pid() + " left by a previous owner");
        if (!stop(process.get(), "-INT", STOP_FAST_WAIT) && !stop(process.get(), "-QUIT", STOP_IMMEDIATE_WAIT)) {
            process.get().destroyForcibly();
            if (!waitForExit(process.get(), STOP_IMMEDIATE_WAIT)) {
                throw new IllegalStateException(
                        "could not stop the orphaned PostgreSQL " + pid.get().pid());
            }
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.info()
                .command()
                .map(c -> c.endsWith("/postgres") || c.endsWith("/postmaster"))
                .orElse(false);
    }

    /** Sends a PostgreSQL shutdown signal (INT: fast, QUIT: immediate) and waits for the exit. */
    private static boolean stop(ProcessHandle process, String signal, Duration wait) throws IOException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return waitForExit(process, wait);
    }

    private static boolean waitForExit(ProcessHandle process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return !process.isAlive();
        }
    }

    private static void reload(int port) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(port), USER, null);
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    private static void ping(String jdbcUrl) throws SQLException {
        DriverManager.setLoginTimeout(5);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, USER, null);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT 1")) {
            row.next();
        }
    }

    private static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(port);
    }

    public String user() {
        return USER;
    }

    /** Null: local connections are trusted (PostgreSQL listens on localhost only). */
    public String password() {
        return null;
    }

    public int port() {
        return port;
    }

    /** Where the PostgreSQL data directory (PGDATA) of the wallet data directory {@code directory} is. */
    public static Path pgData(Path directory) {
        return directory.resolve(PGDATA);
    }

    /** This database's PostgreSQL data directory (PGDATA). */
    public Path pgData() {
        return pgData(directory);
    }

    /**
     * Takes a PostgreSQL data directory put in place by a restore as this layout's own: the next start runs
     * it (and its recovery) rather than taking it for an initdb that did not finish.
     */
    public static void adopt(Path directory) throws IOException {
        Files.writeString(directory.resolve(INITIALIZED), "PostgreSQL data directory initialized\n");
    }

    public Path directory() {
        return directory;
    }

    /** Whether this process started PostgreSQL (and stops it on {@link #close()}) rather than attached. */
    public boolean startedHere() {
        return postgres != null;
    }

    /** Stops PostgreSQL (fast shutdown) if this process started it, and releases the directory. */
    @Override
    public void close() {
        if (postgres == null) {
            return;
        }
        Optional<ProcessHandle> postmaster = PostmasterPid.read(
                        pgData(directory).resolve("postmaster.pid"))
                .flatMap(pid -> ProcessHandle.of(pid.pid()));
        try {
            postgres.close(); // pg_ctl stop -m fast, waiting at most 5 s
            if (postmaster.isPresent() && !waitForExit(postmaster.get(), STOP_FAST_WAIT)) {
                throw new IllegalStateException("PostgreSQL " + postmaster.get().pid() + " did not stop within "
                        + STOP_FAST_WAIT.toSeconds() + " s; the next start will stop it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop PostgreSQL in " + directory, e);
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the channel, and both with the process
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDatabase[" + directory + ", port " + port + (startedHere() ? ", started here]" : ", attached]");
    }

    /** The lines of PostgreSQL's {@code postmaster.pid} we need: 1 is the pid, 4 the port. */
    record PostmasterPid(long pid, OptionalInt port) {
        static Optional<PostmasterPid> read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return Optional.empty(); // absent, or being written: the caller waits or starts fresh
            }
            try {
                long pid = Long.parseLong(lines.get(0).strip());
                OptionalInt port = lines.size() > 3 && !lines.get(3).isBlank()
                        ? OptionalInt.of(Integer.parseInt(lines.get(3).strip()))
                        : OptionalInt.empty();
                return Optional.of(new PostmasterPid(pid, port));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
