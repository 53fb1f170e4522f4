package dev.walletledger.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL of the test's own, never the shared test database: it is killed, paused and restarted.
 * Subclasses say how it starts; signals go to the whole process tree (postmaster and its children).
 */
abstract class PostgresInstance implements AutoCloseable {
    /** Bounds each wait for a command (pg_ctl, kill) to finish. */
    static final long COMMAND_WAIT_SECONDS = 120;

    /** The port clients connect to now (an embedded PostgreSQL may change it on every start). */
    abstract int port();

    /** Starts it (again, after a kill: crash recovery replays the WAL). */
    abstract void start();

    abstract Path dataDirectory();

    /** Which kind of PostgreSQL this is, for the figures: "PG-D 15.x" or "PG-Z 18.x". */
    abstract String name();

    /** Stops it, whatever state it is in, and deletes its files. */
    @Override
    public abstract void close();

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory().resolve("postmaster.pid"))
                    .get(0)
                    .strip());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("no readable postmaster.pid in " + dataDirectory(), e);
        }
    }

    /** The postmaster and every process below it, postmaster first. */
    List<Long> tree() {
        long postmaster = postmasterPid();
        List<Long> pids = new ArrayList<>();
        ProcessHandle.of(postmaster).ifPresent(p -> {
            pids.add(p.pid());
            p.descendants().forEach(d -> pids.add(d.pid()));
        });
        return pids;
    }

    /**
     * kill -9 of the whole tree; returns once every process of it is gone (bounded).
     *
     * <p>The postmaster is stopped first, so that it cannot fork a backend between the listing of its children
     * and the kill: such a backend would outlive it, attached to the old shared memory, and the restart would
     * refuse to start ("pre-existing shared memory block is still in use"). Then every process is awaited, not
     * only the postmaster: a backend killed inside an fsync dies only when the write returns.
     */
    void kill9() {
        long postmaster = postmasterPid();
        signal("-STOP", List.of(postmaster));
        awaitStopped(postmaster);
        List<Long> pids = tree();
        signal("-KILL", pids);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(KILL_WAIT_SECONDS);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                try {
                    p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("PostgreSQL process " + pid + " survived kill -9", e);
                }
            });
        }
    }

    /** Bounds how long kill -9 waits for the tree to be gone. */
    static final long KILL_WAIT_SECONDS = 60;

    /** Waits (bounded) until the kernel reports {@code pid} stopped, or gone. */
    private static void awaitStopped(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String text;
            try {
                text = Files.readString(stat);
            } catch (IOException e) {
                return; // gone
            }
            // "pid (comm) S ...": the state follows the last ')' (comm may hold spaces and parentheses).
            char state = text.charAt(text.lastIndexOf(')') + 2);
            if (state == 'T' || state == 't' || state == 'Z' || state == 'X') {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL " + pid + " did not stop on SIGSTOP within 10 s");
    }

    void pause() {
        signal("-STOP", tree());
    }

    void resume() {
        signal("-CONT", tree());
    }

    /** {@code SHOW} of the settings that make a commit durable, for the figures. */
    String settings() {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", null);
                Statement s = c.createStatement()) {
            StringBuilder out = new StringBuilder();
            for (String name : List.of("server_version", "fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet r = s.executeQuery("SHOW " + name)) {
                    r.next();
                    out.append(out.length() == 0 ? "" : " ")
                            .append(name)
                            .append('=')
                            .append(r.getString(1));
                }
            }
            return out.toString();
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the settings of " + name(), e);
        }
    }

    static void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        run(command, false);
    }

    /** Runs a command to completion (bounded); returns its output; fails on a non-zero exit if asked. */
    static String run(List<String> command, boolean check) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            String text = new String(output);
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
