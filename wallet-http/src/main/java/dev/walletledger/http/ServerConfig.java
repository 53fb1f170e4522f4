package dev.walletledger.http;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.nio.file.Path;
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
 */
public record ServerConfig(Optional<DatabaseUrl> databaseUrl, Path dataDirectory, String host, int port,
                           String logLevel, boolean jsonLogs, int poolSize, IsolationLevel isolation,
                           boolean migrate, boolean allowNonDurable) {
    public ServerConfig {
        Objects.requireNonNull(databaseUrl, "databaseUrl");
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

    /** For tests and embedding: loopback, a free port, the given durability policy, everything else default. */
    public static ServerConfig forTests() {
        return fromEnvironment(Map.of("PORT", "0", "WALLET_ALLOW_NON_DURABLE", "true"));
    }

    /** @throws IllegalArgumentException naming the variable at fault (never echoing DATABASE_URL) */
    public static ServerConfig fromEnvironment(Map<String, String> env) {
        String url = value(env, "DATABASE_URL", "");
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
                bool(env, "WALLET_ALLOW_NON_DURABLE", false));
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
