package dev.walletledger.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Certificates made at test time by the {@code openssl} command (the JDK has no public API to issue
 * certificates; OpenSSL 1.1.1 or later must be on the PATH). A throwaway CA signs everything.
 */
final class TestCertificates {
    final Path directory;
    final Path caCertificate;

    private TestCertificates(Path directory) {
        this.directory = directory;
        this.caCertificate = directory.resolve("ca.pem");
    }

    /** A new CA (EC P-256) in {@code directory}. */
    static TestCertificates authority(Path directory) {
        TestCertificates certificates = new TestCertificates(directory);
        certificates.openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=wallet-test-ca",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem");
        return certificates;
    }

    /**
     * A leaf certificate signed by the CA: {@code <name>.pem} and its PKCS#8 key {@code <name>.key}.
     *
     * @param keyType  {@code rsa:2048} or {@code ec} (P-256)
     * @param usage    {@code serverAuth} (with 127.0.0.1 and localhost as names) or {@code clientAuth}
     */
    Path[] issue(String name, String keyType, String usage) {
        List<String> command = new ArrayList<>(List.of("req", "-x509", "-newkey", keyType));
        if (keyType.equals("ec")) {
            command.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
        }
        command.addAll(List.of(
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "extendedKeyUsage=" + usage,
                "-keyout",
                name + ".key",
                "-out",
                name + ".pem"));
        if (usage.equals("serverAuth")) {
            command.addAll(List.of("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        }
        openssl(command.toArray(new String[0]));
        return new Path[] {directory.resolve(name + ".pem"), directory.resolve(name + ".key")};
    }

    void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("openssl took over 60 s: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        "openssl failed (these tests need OpenSSL 1.1.1+ on the PATH): " + command + "\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("these tests need the openssl command on the PATH", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A client context trusting only this CA, presenting {@code clientCertificate} when not null. */
    SSLContext clientContext(Path[] clientCertificate) throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManagerFactory keyManagers = null;
        if (clientCertificate != null) {
            List<X509Certificate> chain = Tls.certificates(clientCertificate[0], "client");
            PrivateKey key = Tls.privateKey(clientCertificate[1]);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, new char[0]);
        }
        context.init(
                keyManagers == null ? null : keyManagers.getKeyManagers(),
                Tls.trustManagers(Tls.certificates(caCertificate, "ca")).getTrustManagers(),
                null);
        return context;
    }
}
