package dev.walletledger.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@code wallet.test.db=testcontainers:<image>}: a PostgreSQL container for the run. In a class of its own
 * so that Testcontainers is loaded only when chosen.
 */
final class ContainerTarget {
    private ContainerTarget() {}

    static TestDatabase.Target start(String image) {
        if (!dockerAnswers()) {
            throw new IllegalStateException("wallet.test.db=testcontainers:" + image + " needs a Docker engine, and "
                    + "none answers here. Run the tests on the embedded PostgreSQL (the default, "
                    + "-Dwallet.test.db=embedded) or on a server of yours (-Dwallet.test.db=url "
                    + "-Dwallet.test.url=jdbc:postgresql://host:port/db?user=...&password=...).");
        }
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
                        DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
                .withCommand("postgres", "-c", "max_connections=300", "-c", "deadlock_timeout=200ms");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "testcontainers-postgres-stop"));
        return new TestDatabase.Target(
                TestDatabase.Kind.TESTCONTAINERS,
                container.getJdbcUrl(),
                container.getUsername(),
                container.getPassword(),
                "PostgreSQL container " + image);
    }

    static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
