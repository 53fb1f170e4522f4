package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.contract.OpenApiContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files (RSA and EC keys) and mutual TLS, with certificates made by {@code openssl} at
 * test time (see {@link TestCertificates}: the openssl command must be on the PATH).
 */
class TlsTest {
    @TempDir
    static Path directory;

    static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() {
        certificates = TestCertificates.authority(directory);
    }

    @Test
    void httpsWithAnRsaKey() throws Exception {
        servesHttps(certificates.issue("server-rsa", "rsa:2048", "serverAuth"));
    }

    @Test
    void httpsWithAnEcKey() throws Exception {
        servesHttps(certificates.issue("server-ec", "ec", "serverAuth"));
    }

    private static void servesHttps(Path[] server) throws Exception {
        ServerConfig config = TestServer.config().withTls(new Tls(server[0], server[1], Optional.empty()));
        try (TestServer running = new TestServer(config)) {
            HttpRequest assets = get(running, "/api/v1/assets");
            HttpResponse<String> answer =
                    client(certificates.clientContext(null)).send(assets, HttpResponse.BodyHandlers.ofString());
            OpenApiContract.record(OpenApiContract.Exchange.ofText(assets, null, answer));
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("GOLD_COINS"));
            // A client that does not trust the test CA refuses the server.
            assertThrows(
                    IOException.class,
                    () -> client(SSLContext.getDefault())
                            .send(get(running, "/api/v1/health"), HttpResponse.BodyHandlers.ofString()));
            // Plain HTTP to the TLS port gets no answer.
            assertThrows(
                    IOException.class,
                    () -> client(SSLContext.getDefault())
                            .send(
                                    HttpRequest.newBuilder(URI.create(
                                                    "http://127.0.0.1:" + running.server.port() + "/api/v1/health"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void mutualTlsRefusesClientsWithoutACertificateSignedByTheClientCa(@TempDir Path elsewhere) throws Exception {
        Path[] server = certificates.issue("server-mtls", "ec", "serverAuth");
        Path[] client = certificates.issue("client-good", "ec", "clientAuth");
        TestCertificates strangers = TestCertificates.authority(elsewhere);
        Path[] stranger = strangers.issue("client-stranger", "rsa:2048", "clientAuth");
        Files.copy(stranger[0], directory.resolve("client-stranger.pem"));
        Files.copy(stranger[1], directory.resolve("client-stranger.key"));
        ServerConfig config =
                TestServer.config().withTls(new Tls(server[0], server[1], Optional.of(certificates.caCertificate)));
        try (TestServer running = new TestServer(config)) {
            HttpRequest health = get(running, "/api/v1/health");
            HttpResponse<String> answer =
                    client(certificates.clientContext(client)).send(health, HttpResponse.BodyHandlers.ofString());
            OpenApiContract.record(OpenApiContract.Exchange.ofText(health, null, answer));
            assertEquals(200, answer.statusCode(), answer.body());
            assertThrows(
                    IOException.class,
                    () -> client(certificates.clientContext(null))
                            .send(get(running, "/api/v1/health"), HttpResponse.BodyHandlers.ofString()),
                    "no client certificate");
            Path[] foreign = {directory.resolve("client-stranger.pem"), directory.resolve("client-stranger.key")};
            assertThrows(
                    IOException.class,
                    () -> client(certificates.clientContext(foreign))
                            .send(get(running, "/api/v1/health"), HttpResponse.BodyHandlers.ofString()),
                    "a certificate from another CA");
        }
    }

    @Test
    void aTraditionalRsaKeyIsRefusedWithTheConversionCommand() throws Exception {
        Path[] server = certificates.issue("server-legacy", "rsa:2048", "serverAuth");
        certificates.openssl("rsa", "-in", "server-legacy.key", "-traditional", "-out", "server-legacy-pkcs1.key");
        Tls tls = new Tls(server[0], directory.resolve("server-legacy-pkcs1.key"), Optional.empty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tls::context);
        assertTrue(
                e.getMessage().contains("RSA PRIVATE KEY") && e.getMessage().contains("openssl pkcs8 -topk8"),
                e.getMessage());
        IllegalArgumentException swapped = assertThrows(
                IllegalArgumentException.class, () -> new Tls(server[1], server[0], Optional.empty()).context());
        assertTrue(swapped.getMessage().contains("WALLET_TLS_CERT"), swapped.getMessage());
    }

    private static HttpRequest get(TestServer running, String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + running.server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }
}
