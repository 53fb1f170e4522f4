package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker quick start as the repository ships it, without a Docker engine: the server jar is started with
 * exactly the environment the {@code Dockerfile} and {@code compose.yaml} give the server's container. Only
 * what must change outside a container changes: {@code DATABASE_URL} points at the test database (compose's
 * names the {@code postgres} service), {@code PORT} is a free port, {@code WALLET_SCHEMA} a schema of the
 * test's own, and {@code WALLET_ALLOW_NON_DURABLE} says the test database runs without fsync. That environment must serve the README's requests; the image's own environment, without
 * compose's development settings, must refuse to start.
 */
class ComposeQuickStartIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @TempDir
    Path directory;

    @Test
    void composeEnvironmentServesTheQuickStart() throws Exception {
        Map<String, String> environment = new LinkedHashMap<>(dockerfileEnvironment());
        environment.putAll(composeEnvironment());
        assertEquals("0.0.0.0", environment.get("HOST"), "inside its container the server listens everywhere");
        for (String port : composePorts()) {
            assertTrue(port.startsWith("127.0.0.1:"), "compose publishes the port on this machine only: " + port);
        }
        assertTrue(environment.containsKey("DATABASE_URL"), environment.toString());
        int port = freePort();
        environment.put("DATABASE_URL", TestDatabase.jdbcUrl());
        environment.put("PORT", Integer.toString(port));
        environment.put("WALLET_SCHEMA", TestDatabase.newSchemaName());
        environment.put("WALLET_ALLOW_NON_DURABLE", "true");
        Path log = directory.resolve("server.log");
        Process server = ServerJar.start(environment, "256m", log);
        try {
            ServerJar.awaitHealthy(server, port, Duration.ofSeconds(120), () -> read(log));
            HttpResponse<String> topUp = post(
                    port,
                    "/api/v1/wallets/topup",
                    "{\"user_id\":\"alice\",\"asset_code\":\"GOLD_COINS\",\"amount\":1000,\"reference_id\":\"pay_1\"}");
            assertEquals(201, topUp.statusCode(), topUp.body());
            HttpResponse<String> balance = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port + "/api/v1/wallets/alice/balance?asset_code=GOLD_COINS"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, balance.statusCode(), balance.body());
            assertTrue(balance.body().contains("\"balance\":1000"), balance.body());
            assertTrue(read(log).contains("NO AUTHENTICATION"), "the open server says so loudly");
        } finally {
            stop(server);
        }
    }

    @Test
    void theImagesOwnEnvironmentRefusesToServeWithoutKeys() throws Exception {
        Map<String, String> environment = new LinkedHashMap<>(dockerfileEnvironment());
        assertFalse(environment.containsKey("WALLET_ALLOW_NO_AUTH"), "the image is safe by default");
        Path data = directory.resolve("wallet-data");
        environment.put("WALLET_DATA_DIR", data.toString());
        Path log = directory.resolve("refused.log");
        Process server = ServerJar.start(environment, "256m", log);
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops by itself:\n" + read(log));
        List<String> lines = Files.readAllLines(log);
        assertEquals(2, server.exitValue(), read(log));
        assertEquals(1, lines.size(), "one line:\n" + read(log));
        assertTrue(lines.get(0).startsWith("wallet-server: HOST 0.0.0.0 "), lines.get(0));
        assertFalse(Files.exists(data), "refused before the data directory was touched");
    }

    /** The {@code ENV} lines of the Dockerfile's last stage ({@code ENV A=1 B=2} and {@code ENV A 1}). */
    static Map<String, String> dockerfileEnvironment() throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            String text = line.strip();
            if (text.startsWith("FROM ")) {
                environment.clear(); // a new stage starts from its base image's environment
            } else if (text.startsWith("ENV ")) {
                String rest = text.substring(4).strip();
                if (rest.contains("=")) {
                    for (String pair : rest.split("\\s+")) {
                        int equals = pair.indexOf('=');
                        environment.put(pair.substring(0, equals), unquote(pair.substring(equals + 1)));
                    }
                } else {
                    String[] parts = rest.split("\\s+", 2);
                    environment.put(parts[0], unquote(parts[1]));
                }
            }
        }
        return environment;
    }

    static Map<String, String> composeEnvironment() throws IOException {
        JsonNode environment = wallet().path("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (environment.isArray()) { // - NAME=value
            for (JsonNode item : environment) {
                String pair = item.asText();
                int equals = pair.indexOf('=');
                result.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        } else {
            Iterator<Map.Entry<String, JsonNode>> fields = environment.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                result.put(field.getKey(), field.getValue().asText());
            }
        }
        assertFalse(result.isEmpty(), "compose.yaml gives the wallet service an environment");
        return result;
    }

    private static List<String> composePorts() throws IOException {
        List<String> ports = new ArrayList<>();
        wallet().path("ports").forEach(port -> ports.add(port.asText()));
        assertFalse(ports.isEmpty(), "compose.yaml publishes the wallet service's port");
        return ports;
    }

    private static JsonNode wallet() throws IOException {
        JsonNode compose = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("compose.yaml").toFile());
        JsonNode wallet = compose.path("services").path("wallet");
        assertTrue(wallet.isObject(), "compose.yaml has a wallet service");
        return wallet;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }

    private static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
