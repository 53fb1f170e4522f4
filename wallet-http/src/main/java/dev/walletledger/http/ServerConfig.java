package dev.walletledger.http;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's configuration, read once from environment variables (see the README for the table).
 *
 * @param databaseUrl      {@code DATABASE_URL}; empty: the embedded PostgreSQL in {@code dataDirectory}
 * @param dataDirectory    {@code WALLET_DATA_DIR} ({@code ./wallet-data})
 * @param host             {@code HOST} (127.0.0.1: reachable from this machine only)
 * @param port             {@code PORT} (3000; 0 picks a free port)
 * @param logLevel         {@code LOG_LEVEL} (info)
 * @param jsonLogs         {@code LOG_FORMAT=json} (text)
 * @param poolSize         {@code WALLET_POOL_SIZE} (16)
 * @param isolation        {@code WALLET_ISOLATION} (read_committed)
 * @param migrate          {@code WALLET_MIGRATE} (true)
 * @param allowNonDurable  {@code WALLET_ALLOW_NON_DURABLE} (false)
 * @param migrationDatabaseUrl {@code WALLET_MIGRATION_DATABASE_URL}: the owning role that runs migrations;
 *                         empty: {@code DATABASE_URL}'s role runs them
 * @param apiKeys          {@code WALLET_API_KEYS_FILE} and {@code WALLET_API_KEYS} (hashed key lines)
 * @param allowNoAuth      {@code WALLET_ALLOW_NO_AUTH} (false): serve a non-loopback address without keys
 * @param tls              {@code WALLET_TLS_CERT}, {@code WALLET_TLS_KEY}, {@code WALLET_TLS_CLIENT_CA}
 * @param limits           {@code WALLET_CONNECTIONS_MAX} (1000) and the fixed timeouts and header limits
 */
public record ServerConfig(Optional<DatabaseUrl> databaseUrl, Path dataDirectory, String host, int port,
                           String logLevel, boolean jsonLogs, int poolSize, IsolationLevel isolation,
                           boolean migrate, boolean allowNonDurable, Optional<DatabaseUrl> migrationDatabaseUrl,
                           ApiKeys apiKeys, boolean allowNoAuth, Optional<Tls> tls, Limits limits) {
    private static final long KEYS_FILE_BYTES_MAX = 4L * 1024 * 1024;

    public ServerConfig {
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(migrationDatabaseUrl, "migrationDatabaseUrl");
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(isolation, "isolation");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("PORT must be from 0 to 65535, got " + port);
        }
        if (poolSize < 1 || poolSize > DataSources.POOL_SIZE_MAX) {
            throw new IllegalArgumentException("WALLET_POOL_SIZE must be from 1 to " + DataSources.POOL_SIZE_MAX);
        }
    }

    /**
     * The configuration before the security settings existed: no API keys (so loopback only, see
     * {@link WalletServer#start}), no TLS, migrations as {@code databaseUrl}'s role, default limits.
     */
    public ServerConfig(Optional<DatabaseUrl> databaseUrl, Path dataDirectory, String host, int port, String logLevel,
                        boolean jsonLogs, int poolSize, IsolationLevel isolation, boolean migrate,
                        boolean allowNonDurable) {
        this(databaseUrl, dataDirectory, host, port, logLevel, jsonLogs, poolSize, isolation, migrate, allowNonDurable,
                Optional.empty(), ApiKeys.none(), false, Optional.empty(), Limits.defaults());
    }

    /** For tests and embedding: loopback, a free port, the given durability policy, everything else default. */
    public static ServerConfig forTests() {
        return fromEnvironment(Map.of("PORT", "0", "WALLET_ALLOW_NON_DURABLE", "true"));
    }

    public ServerConfig withApiKeys(ApiKeys keys) {
        return new ServerConfig(databaseUrl, dataDirectory, host, port, logLevel, jsonLogs, poolSize, isolation,
                migrate, allowNonDurable, migrationDatabaseUrl, keys, allowNoAuth, tls, limits);
    }

    public ServerConfig withTls(Tls files) {
        return new ServerConfig(databaseUrl, dataDirectory, host, port, logLevel, jsonLogs, poolSize, isolation,
                migrate, allowNonDurable, migrationDatabaseUrl, apiKeys, allowNoAuth, Optional.of(files), limits);
    }

    public ServerConfig withLimits(Limits bounds) {
        return new ServerConfig(databaseUrl, dataDirectory, host, port, logLevel, jsonLogs, poolSize, isolation,
                migrate, allowNonDurable, migrationDatabaseUrl, apiKeys, allowNoAuth, tls, bounds);
    }

    /** @throws IllegalArgumentException naming the variable at fault (never echoing DATABASE_URL or a key) */
    public static ServerConfig fromEnvironment(Map<String, String> env) {
        String url = value(env, "DATABASE_URL", "");
        String migrationUrl = value(env, "WALLET_MIGRATION_DATABASE_URL", "");
        return new ServerConfig(
                url.isEmpty() ? Optional.empty() : Optional.of(DatabaseUrl.parse(url)),
                Path.of(value(env, "WALLET_DATA_DIR", EmbeddedDatabase.DEFAULT_DIRECTORY.toString())),
                value(env, "HOST", "127.0.0.1"),
                integer(env, "PORT", 3000),
                choice(env, "LOG_LEVEL", "info", "trace", "debug", "info", "warn", "error"),
                choice(env, "LOG_FORMAT", "text", "text", "json").equals("json"),
                integer(env, "WALLET_POOL_SIZE", 16),
                IsolationLevel.valueOf(choice(env, "WALLET_ISOLATION", "read_committed",
                        "read_committed", "repeatable_read", "serializable").toUpperCase(Locale.ROOT)),
                bool(env, "WALLET_MIGRATE", true),
                bool(env, "WALLET_ALLOW_NON_DURABLE", false),
                migrationUrl.isEmpty() ? Optional.empty() : Optional.of(DatabaseUrl.parse(migrationUrl)),
                apiKeys(env),
                bool(env, "WALLET_ALLOW_NO_AUTH", false),
                tls(env),
                Limits.defaults().withConnectionsMax(integer(env, "WALLET_CONNECTIONS_MAX", 1_000)));
    }

    private static ApiKeys apiKeys(Map<String, String> env) {
        List<Map.Entry<String, String>> sources = new ArrayList<>();
        String file = value(env, "WALLET_API_KEYS_FILE", "");
        if (!file.isEmpty()) {
            try {
                Path path = Path.of(file);
                if (Files.size(path) > KEYS_FILE_BYTES_MAX) {
                    throw new IllegalArgumentException("WALLET_API_KEYS_FILE " + file + " is over 4 MiB");
                }
                sources.add(Map.entry("WALLET_API_KEYS_FILE " + file, Files.readString(path, StandardCharsets.UTF_8)));
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException("WALLET_API_KEYS_FILE " + file + " cannot be read: " + e.getMessage());
            }
        }
        String lines = value(env, "WALLET_API_KEYS", "");
        if (!lines.isEmpty()) {
            sources.add(Map.entry("WALLET_API_KEYS", lines));
        }
        return ApiKeys.parse(sources);
    }

    private static Optional<Tls> tls(Map<String, String> env) {
        String certificate = value(env, "WALLET_TLS_CERT", "");
        String key = value(env, "WALLET_TLS_KEY", "");
        String clientCa = value(env, "WALLET_TLS_CLIENT_CA", "");
        if (certificate.isEmpty() != key.isEmpty()) {
            throw new IllegalArgumentException("WALLET_TLS_CERT and WALLET_TLS_KEY must be set together");
        }
        if (certificate.isEmpty()) {
            if (!clientCa.isEmpty()) {
                throw new IllegalArgumentException("WALLET_TLS_CLIENT_CA needs WALLET_TLS_CERT and WALLET_TLS_KEY");
            }
            return Optional.empty();
        }
        Tls tls = new Tls(Path.of(certificate), Path.of(key),
                clientCa.isEmpty() ? Optional.empty() : Optional.of(Path.of(clientCa)));
        tls.context(); // fail at startup with the variable's name, not at the first handshake
        return Optional.of(tls);
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String value = value(env, name, Integer.toString(fallback));
        if (!value.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(name + " must be a whole number, got \"" + value + "\"");
        }
        return Integer.parseInt(value);
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        return choice(env, name, Boolean.toString(fallback), "true", "false").equals("true");
    }

    private static String choice(Map<String, String> env, String name, String fallback, String... allowed) {
        String value = value(env, name, fallback).toLowerCase(Locale.ROOT);
        for (String candidate : allowed) {
            if (candidate.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(name + " must be one of " + String.join(", ", allowed) + ", got \"" + value + "\"");
    }
}
