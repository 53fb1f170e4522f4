package dev.walletledger.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS from PEM files, with the JDK only: a certificate chain ({@code CertificateFactory}), an unencrypted
 * PKCS#8 private key ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519, via {@code KeyFactory}) and, for
 * mutual TLS, the CA certificates that sign client certificates.
 *
 * @param certificateChain  {@code WALLET_TLS_CERT}: the server certificate first, then intermediates
 * @param privateKey        {@code WALLET_TLS_KEY}
 * @param clientCa          {@code WALLET_TLS_CLIENT_CA}: when present, clients must present a certificate it signed
 */
public record Tls(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
    /** PEM files are small; anything bigger is not one. */
    private static final long PEM_BYTES_MAX = 1024 * 1024;

    private static final Pattern PEM_KEY =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    public Tls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }

    public boolean mutual() {
        return clientCa.isPresent();
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    public SSLContext context() {
        try {
            List<X509Certificate> chain = certificates(certificateChain, "WALLET_TLS_CERT");
            PrivateKey key = privateKey(privateKey);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = new char[0];
            keys.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            TrustManagerFactory trustManagers = null;
            if (clientCa.isPresent()) {
                trustManagers = trustManagers(certificates(clientCa.get(), "WALLET_TLS_CLIENT_CA"));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keyManagers.getKeyManagers(),
                    trustManagers == null ? null : trustManagers.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
        }
    }

    /** Trust exactly these CA certificates (also used by tests for their clients). */
    static TrustManagerFactory trustManagers(List<X509Certificate> authorities)
            throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            trusted.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory;
    }

    static List<X509Certificate> certificates(Path file, String variable) throws GeneralSecurityException, IOException {
        byte[] pem = read(file, variable);
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(
                    variable + " " + file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(variable + " " + file + " holds no PEM certificate");
        }
        return certificates;
    }

    static PrivateKey privateKey(Path file) throws IOException {
        String pem = new String(read(file, "WALLET_TLS_KEY"), StandardCharsets.US_ASCII);
        Matcher block = PEM_KEY.matcher(pem);
        if (!block.find()) {
            throw new IllegalArgumentException("WALLET_TLS_KEY " + file + " holds no PEM block");
        }
        if (!block.group(1).equals("PRIVATE KEY")) {
            throw new IllegalArgumentException("WALLET_TLS_KEY " + file + " is a \"" + block.group(1) + "\"; an "
                    + "unencrypted PKCS#8 key (BEGIN PRIVATE KEY) is needed: convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem");
        }
        PKCS8EncodedKeySpec spec =
                new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(2)));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // the key's algorithm is in its DER; the JDK has no "any" KeyFactory, so try each
            }
        }
        throw new IllegalArgumentException("WALLET_TLS_KEY " + file + " is not an RSA, EC or EdDSA PKCS#8 key");
    }

    private static byte[] read(Path file, String variable) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > PEM_BYTES_MAX) {
            throw new IllegalArgumentException(variable + " " + file + " is not a readable PEM file (at most 1 MiB)");
        }
        return Files.readAllBytes(file);
    }
}
