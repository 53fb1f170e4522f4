package dev.walletledger.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Patroni 3 with one etcd 3.4, two PostgreSQL 15 nodes, synchronous replication, as a user sets
 * them up: the components themselves, run as the {@code postgres} user in a directory of their own, on
 * free loopback ports. Nodes can be killed (-9, the whole Patroni and PostgreSQL tree), restarted (they
 * rejoin, with pg_rewind) and switched over with patronictl.
 */
final class PatroniCluster implements AutoCloseable {
    static final Path PATRONI = Path.of("/usr/bin/patroni");
    static final Path PATRONICTL = Path.of("/usr/bin/patronictl");
    static final Path ETCD = Path.of("/usr/bin/etcd");

    private final Path root;
    private final String scope;
    private final int etcdPort;
    private final Process etcd;
    private final Node[] nodes = new Node[2];
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One Patroni node: its PostgreSQL port, REST port, and the running process (null when down). */
    static final class Node {
        final String name;
        final int postgresPort;
        final int restPort;
        final Path config;
        Process process;

        Node(String name, int postgresPort, int restPort, Path config) {
            this.name = name;
            this.postgresPort = postgresPort;
            this.restPort = restPort;
            this.config = config;
        }
    }

    static boolean available() {
        return Files.isExecutable(PATRONI) && Files.isExecutable(ETCD) && DebianPostgres.available();
    }

    private PatroniCluster(Path root, String scope, int etcdPort, Process etcd) {
        this.root = root;
        this.scope = scope;
        this.etcdPort = etcdPort;
        this.etcd = etcd;
    }

    /** etcd, then both nodes; returns once one is the primary and the other a streaming replica. */
    static PatroniCluster start() {
        try {
            Path root = Files.createTempDirectory(Path.of("/tmp"), "wallet-patroni-");
            PostgresInstance.run(List.of("chown", "postgres:postgres", root.toString()), true);
            int client = PostgresInstance.freePort();
            int peer = PostgresInstance.freePort();
            Process etcd = asPostgres(
                    root.resolve("etcd.log"),
                    ETCD.toString(),
                    "--name",
                    "e1",
                    "--data-dir",
                    root.resolve("etcd").toString(),
                    "--listen-client-urls",
                    "http://127.0.0.1:" + client,
                    "--advertise-client-urls",
                    "http://127.0.0.1:" + client,
                    "--listen-peer-urls",
                    "http://127.0.0.1:" + peer,
                    "--initial-advertise-peer-urls",
                    "http://127.0.0.1:" + peer,
                    "--initial-cluster",
                    "e1=http://127.0.0.1:" + peer);
            String scope = "wallet-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
            PatroniCluster cluster = new PatroniCluster(root, scope, client, etcd);
            for (int i = 0; i < 2; i++) {
                String name = "node" + (i + 1);
                Path directory = root.resolve(name);
                Files.createDirectories(directory);
                Path config = directory.resolve("patroni.yml");
                int postgres = PostgresInstance.freePort();
                int rest = PostgresInstance.freePort();
                Files.writeString(config, yaml(scope, name, client, postgres, rest, directory));
                cluster.nodes[i] = new Node(name, postgres, rest, config);
            }
            PostgresInstance.run(List.of("chown", "-R", "postgres:postgres", root.toString()), true);
            cluster.startNode(0);
            cluster.awaitRole(0, "primary", 120);
            cluster.startNode(1);
            cluster.awaitRole(1, "replica", 180);
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node configuration the deployment guide shows, with this run's ports and directories. */
    static String yaml(String scope, String name, int etcdPort, int postgresPort, int restPort, Path directory) {
        return """
                scope: %1$s
                namespace: /service/
                name: %2$s
                restapi:
                  listen: 127.0.0.1:%5$d
                  connect_address: 127.0.0.1:%5$d
                etcd3:
                  hosts: 127.0.0.1:%3$d
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 1
                    retry_timeout: 5
                    maximum_lag_on_failover: 1048576
                    synchronous_mode: true
                    synchronous_mode_strict: false
                    postgresql:
                      use_pg_rewind: true
                      parameters:
                        wal_level: replica
                        hot_standby: "on"
                        wal_log_hints: "on"
                        max_wal_senders: 10
                        max_replication_slots: 10
                        max_connections: 100
                  initdb:
                    - encoding: UTF8
                  pg_hba:
                    - host replication replicator 127.0.0.1/32 trust
                    - host all all 127.0.0.1/32 trust
                    - local all all trust
                postgresql:
                  listen: 127.0.0.1:%4$d
                  connect_address: 127.0.0.1:%4$d
                  data_dir: %6$s/data
                  bin_dir: /usr/lib/postgresql/15/bin
                  pgpass: %6$s/pgpass
                  authentication:
                    replication:
                      username: replicator
                      password: replicator
                    superuser:
                      username: postgres
                      password: postgres
                    rewind:
                      username: postgres
                      password: postgres
                  parameters:
                    unix_socket_directories: %6$s
                """.formatted(scope, name, etcdPort, postgresPort, restPort, directory);
    }

    private static Process asPostgres(Path log, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(command));
        return new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    void startNode(int index) {
        Node node = nodes[index];
        try {
            node.process = asPostgres(
                    root.resolve(node.name).resolve("patroni.log"), PATRONI.toString(), node.config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9 of the node's Patroni and everything under it (its PostgreSQL). */
    void kill9(int index) {
        Node node = nodes[index];
        List<ProcessHandle> tree = new ArrayList<>(node.process.descendants().toList());
        tree.add(node.process.toHandle());
        for (ProcessHandle process : tree) {
            PostgresInstance.run(List.of("kill", "-9", Long.toString(process.pid())), false);
        }
        // Postmasters reparented away from Patroni (none expected) are found by their data directory.
        PostgresInstance.run(
                List.of(
                        "pkill",
                        "-9",
                        "-f",
                        root.resolve(node.name).resolve("data").toString()),
                false);
        try {
            node.process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.process = null;
    }

    /** The index of the node whose REST API says it is the primary, or -1. */
    int primary() {
        for (int i = 0; i < nodes.length; i++) {
            if (status(i, "/primary") == 200) {
                return i;
            }
        }
        return -1;
    }

    void awaitRole(int index, String role, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (status(index, "/" + role) == 200) {
                return;
            }
            BankWorkload.sleep(250);
        }
        throw new IllegalStateException(
                nodes[index].name + " did not become " + role + " within " + seconds + " s; its log:\n" + log(index));
    }

    /** Waits until some node is the primary; returns its index. */
    int awaitPrimary(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            int primary = primary();
            if (primary >= 0) {
                return primary;
            }
            BankWorkload.sleep(250);
        }
        throw new IllegalStateException("no primary within " + seconds + " s");
    }

    /** How many times a switchover is asked for before the test gives up on it. */
    private static final int SWITCHOVER_ATTEMPTS_MAX = 3;

    /**
     * A planned switchover from the current primary to the other node, as an operator runs it: once the
     * candidate is the synchronous standby (in synchronous mode Patroni switches over to no other node),
     * asked again (at most {@link #SWITCHOVER_ATTEMPTS_MAX} times) when the candidate has not become the
     * primary {@code seconds} after patronictl answered. Returns patronictl's answers.
     */
    String switchover(int from, int to, int seconds) {
        StringBuilder answers = new StringBuilder();
        for (int attempt = 1; attempt <= SWITCHOVER_ATTEMPTS_MAX; attempt++) {
            awaitRole(to, "sync", seconds);
            answers.append("attempt ").append(attempt).append(": ").append(askSwitchover(from, to));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (status(to, "/primary") == 200) {
                    return answers.toString();
                }
                BankWorkload.sleep(250);
            }
        }
        throw new IllegalStateException(nodes[to].name + " did not become primary after " + SWITCHOVER_ATTEMPTS_MAX
                + " switchovers; patronictl said: " + answers + "\nthe old primary's log:\n" + log(from)
                + "\nthe candidate's log:\n" + log(to));
    }

    private String askSwitchover(int from, int to) {
        return PostgresInstance.run(
                List.of(
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        PATRONICTL.toString(),
                        "-c",
                        nodes[from].config.toString(),
                        "switchover",
                        scope,
                        "--leader",
                        nodes[from].name,
                        "--candidate",
                        nodes[to].name,
                        "--force"),
                false);
    }

    private int status(int index, String path) {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes[index].restPort + path))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String log(int index) {
        try {
            Path log = root.resolve(nodes[index].name).resolve("patroni.log");
            String text = Files.exists(log) ? Files.readString(log) : "";
            return text.length() > 4_000 ? text.substring(text.length() - 4_000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The multi-host URL in libpq's form, primary only: what the server is given. */
    String libpqUrl() {
        return "postgresql://postgres:postgres@127.0.0.1:" + nodes[0].postgresPort + ",127.0.0.1:"
                + nodes[1].postgresPort + "/postgres?target_session_attrs=read-write&sslmode=disable";
    }

    /** The same in JDBC form, for the checker's snapshot reads straight from the current primary. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + nodes[0].postgresPort + ",127.0.0.1:" + nodes[1].postgresPort
                + "/postgres?targetServerType=primary&sslmode=disable&gssEncMode=disable&connectTimeout=2";
    }

    int etcdPort() {
        return etcdPort;
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null && nodes[i].process != null) {
                kill9(i);
            }
        }
        etcd.descendants().forEach(ProcessHandle::destroyForcibly);
        etcd.destroyForcibly();
        PostgresInstance.run(List.of("pkill", "-9", "-f", root.toString()), false);
        PostgresInstance.run(List.of("rm", "-rf", root.toString()), false);
    }
}
