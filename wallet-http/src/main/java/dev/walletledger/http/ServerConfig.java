package dev.walletledger.http;

import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.tokens.TokenKeys;
import dev.walletledger.http.tokens.TokenSettings;
import dev.walletledger.http.webhooks.WebhookSettings;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.DatabaseUrl;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.WalArchive;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's configuration, read once from environment variables (the table is in wallet-http's README),
 * in five groups: the database, the listener, who may call, the logs, and webhook delivery.
 */
public record ServerConfig(Database database, Listener listener, Auth auth, Logs logs, WebhookSettings webhooks) {
    static final long KEYS_FILE_BYTES_MAX = 4L * 1024 * 1024;
    /** A JWK Set of {@link TokenKeys#KEYS_MAX} public keys is a few tens of KiB. */
    static final long TOKEN_KEYS_FILE_BYTES_MAX = 1024 * 1024;

    public ServerConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(webhooks, "webhooks");
        access(listener.host(), auth); // refused here, before any directory or database is touched
    }

    /** How requests are authenticated, decided once, with the configuration. */
    public enum Access {
        /**
         * API keys or token keys are configured (or a file of them is, even empty for now: it is re-read when it
         * changes): every route but health needs a key or a token.
         */
        KEYS,
        /** No keys, loopback only: open to this machine's processes. */
        OPEN_LOOPBACK,
        /** No keys on a reachable address, because the operator said so (WALLET_ALLOW_NO_AUTH=true). */
        OPEN_BY_OPERATOR
    }

    /** Secure by default: API keys are required on any address other machines can reach. */
    public Access access() {
        return access(listener.host(), auth);
    }

    /**
     * @throws IllegalArgumentException naming HOST when the server would be open to the network without being
     *     told to
     */
    private static Access access(String host, Auth auth) {
        if (auth.required()) {
            return Access.KEYS;
        }
        if (loopback(host)) {
            return Access.OPEN_LOOPBACK;
        }
        if (auth.allowNoAuth()) {
            return Access.OPEN_BY_OPERATOR;
        }
        throw new IllegalArgumentException("HOST " + host + " is reachable from other machines and no API keys are"
                + " configured: anyone who can reach it could move money. Configure keys (WALLET_API_KEYS_FILE or"
                + " WALLET_API_KEYS; 'wallet keys generate' makes one), set HOST=127.0.0.1, or set"
                + " WALLET_ALLOW_NO_AUTH=true if something in front of the server authenticates every request");
    }

    /** Whether every address {@code host} names is a loopback address (0.0.0.0 is not). */
    static boolean loopback(String host) {
        try {
            java.net.InetAddress[] addresses = java.net.InetAddress.getAllByName(host);
            for (java.net.InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * @param url             {@code DATABASE_URL}; empty: the embedded PostgreSQL in {@code dataDirectory}
     * @param migrationUrl    {@code WALLET_MIGRATION_DATABASE_URL}: the owning role that runs migrations;
     *                        empty: {@code DATABASE_URL}'s role runs them
     * @param dataDirectory   {@code WALLET_DATA_DIR} ({@code ./wallet-data})
     * @param schema          {@code WALLET_SCHEMA} ({@code wallet})
     * @param poolSize        {@code WALLET_POOL_SIZE} (16)
     * @param isolation       {@code WALLET_ISOLATION} (read_committed)
     * @param migrate         {@code WALLET_MIGRATE} (true)
     * @param allowNonDurable {@code WALLET_ALLOW_NON_DURABLE} (false)
     * @param starterAssets   {@code WALLET_STARTER_ASSETS} (true): with the migrations, create the starter
     *                        assets GOLD_COINS, DIAMONDS and LOYALTY_POINTS when missing
     * @param transactionPooler {@code WALLET_PGBOUNCER} ({@code none}; {@code session} changes nothing):
     *                        {@code transaction} when {@code DATABASE_URL} leads to PgBouncer in transaction
     *                        pooling mode, so no prepared statement is kept on a server connection
     * @param readUrl         {@code WALLET_READ_DATABASE_URL}: a hot standby of the same database for
     *                        balance, history and transaction reads (same URL forms as {@code
     *                        DATABASE_URL}); empty: every read on the primary
     * @param walArchive      {@code WALLET_WAL_ARCHIVE_DIR} and {@code WALLET_WAL_ARCHIVE_MAX_BYTES} (16 GiB):
     *                        continuous WAL archiving of the embedded PostgreSQL; off when unset
     */
    public record Database(
            Optional<DatabaseUrl> url,
            Optional<DatabaseUrl> migrationUrl,
            Path dataDirectory,
            String schema,
            int poolSize,
            IsolationLevel isolation,
            boolean migrate,
            boolean allowNonDurable,
            boolean starterAssets,
            boolean transactionPooler,
            Optional<DatabaseUrl> readUrl,
            WalArchive walArchive) {
        public Database {
            Objects.requireNonNull(walArchive, "walArchive");
            if (walArchive.enabled() && url.isPresent()) {
                throw new IllegalArgumentException("WALLET_WAL_ARCHIVE_DIR archives the embedded PostgreSQL; with"
                        + " DATABASE_URL, set archive_command on that server instead (see Backups)");
            }
            Objects.requireNonNull(readUrl, "readUrl");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(migrationUrl, "migrationUrl");
            Objects.requireNonNull(dataDirectory, "dataDirectory");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(isolation, "isolation");
            if (poolSize < 1 || poolSize > DataSources.POOL_SIZE_MAX) {
                throw new IllegalArgumentException("WALLET_POOL_SIZE must be from 1 to " + DataSources.POOL_SIZE_MAX);
            }
        }
    }

    /**
     * @param host   {@code HOST} (127.0.0.1: reachable from this machine only)
     * @param port   {@code PORT} (3000; 0 picks a free port)
     * @param tls    {@code WALLET_TLS_CERT}, {@code WALLET_TLS_KEY}, {@code WALLET_TLS_CLIENT_CA}
     * @param limits {@code WALLET_CONNECTIONS_MAX} (1000) and the fixed timeouts and header limits
     */
    public record Listener(String host, int port, Optional<Tls> tls, Limits limits) {
        public Listener {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(limits, "limits");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("PORT must be from 0 to 65535, got " + port);
            }
        }
    }

    /**
     * @param apiKeys       {@code WALLET_API_KEYS_FILE} and {@code WALLET_API_KEYS} (hashed key lines), as read at
     *                      startup
     * @param allowNoAuth   {@code WALLET_ALLOW_NO_AUTH} (false): serve a non-loopback address without keys
     * @param apiKeysFile   {@code WALLET_API_KEYS_FILE}: re-read when it changes
     * @param apiKeysInline {@code WALLET_API_KEYS}: fixed for the process's life, added to the file's at each read
     * @param tokens        player tokens: off without {@code WALLET_TOKEN_KEYS_FILE}
     */
    public record Auth(
            ApiKeys apiKeys, boolean allowNoAuth, Optional<Path> apiKeysFile, String apiKeysInline, Tokens tokens) {
        public Auth {
            Objects.requireNonNull(apiKeys, "apiKeys");
            Objects.requireNonNull(apiKeysFile, "apiKeysFile");
            Objects.requireNonNull(apiKeysInline, "apiKeysInline");
            Objects.requireNonNull(tokens, "tokens");
        }

        /** Key ids and where keys come from; never the inline lines (their hashes). */
        @Override
        public String toString() {
            return "Auth[apiKeys=" + apiKeys + ", allowNoAuth=" + allowNoAuth + ", apiKeysFile=" + apiKeysFile
                    + ", apiKeysInline=" + (apiKeysInline.isEmpty() ? "none" : "set") + ", tokens=" + tokens + "]";
        }

        /** Keys given in code (tests, embedding): no file to watch, no tokens. */
        public Auth(ApiKeys apiKeys, boolean allowNoAuth) {
            this(apiKeys, allowNoAuth, Optional.empty(), "", Tokens.OFF);
        }

        /**
         * Whether requests need a key or a token: some are configured, or a file of them is (an empty file still
         * says the operator wants keys; the server must not turn open because its last line was deleted).
         */
        public boolean required() {
            return !apiKeys.isEmpty() || apiKeysFile.isPresent() || tokens.enabled();
        }

        /** The API keys from {@code fileText} (the file's text now) and the inline lines. */
        ApiKeys parseApiKeys(String fileText) {
            List<Map.Entry<String, String>> sources = new ArrayList<>();
            apiKeysFile.ifPresent(file -> sources.add(Map.entry("WALLET_API_KEYS_FILE " + file, fileText)));
            if (!apiKeysInline.isEmpty()) {
                sources.add(Map.entry("WALLET_API_KEYS", apiKeysInline));
            }
            return ApiKeys.parse(sources);
        }
    }

    /**
     * @param keys     {@code WALLET_TOKEN_KEYS_FILE}: the public keys that sign player tokens, as read at startup
     * @param keysFile {@code WALLET_TOKEN_KEYS_FILE}: re-read when it changes; empty: player tokens are off
     * @param settings {@code WALLET_TOKEN_AUDIENCE}, {@code WALLET_TOKEN_ISSUER},
     *                 {@code WALLET_TOKEN_CLOCK_SKEW_SECONDS}, {@code WALLET_TOKEN_MAX_TTL_SECONDS}
     */
    public record Tokens(TokenKeys keys, Optional<Path> keysFile, TokenSettings settings) {
        public static final Tokens OFF = new Tokens(TokenKeys.none(), Optional.empty(), TokenSettings.defaults());

        public Tokens {
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(keysFile, "keysFile");
            Objects.requireNonNull(settings, "settings");
        }

        public boolean enabled() {
            return keysFile.isPresent() || !keys.isEmpty();
        }
    }

    /**
     * @param level {@code LOG_LEVEL} (info)
     * @param json  {@code LOG_FORMAT=json} (text)
     */
    public record Logs(String level, boolean json) {
        public Logs {
            Objects.requireNonNull(level, "level");
        }
    }

    public ServerConfig withApiKeys(ApiKeys keys) {
        return new ServerConfig(
                database,
                listener,
                new Auth(keys, auth.allowNoAuth(), auth.apiKeysFile(), auth.apiKeysInline(), auth.tokens()),
                logs,
                webhooks);
    }

    public ServerConfig withTokens(Tokens tokens) {
        return new ServerConfig(
                database,
                listener,
                new Auth(auth.apiKeys(), auth.allowNoAuth(), auth.apiKeysFile(), auth.apiKeysInline(), tokens),
                logs,
                webhooks);
    }

    public ServerConfig withTls(Tls files) {
        return new ServerConfig(
                database,
                new Listener(listener.host(), listener.port(), Optional.of(files), listener.limits()),
                auth,
                logs,
                webhooks);
    }

    public ServerConfig withLimits(Limits bounds) {
        return new ServerConfig(
                database, new Listener(listener.host(), listener.port(), listener.tls(), bounds), auth, logs, webhooks);
    }

    /** @throws IllegalArgumentException naming the variable at fault (never echoing DATABASE_URL or a key) */
    public static ServerConfig fromEnvironment(Map<String, String> env) {
        String schema = value(env, "WALLET_SCHEMA", LedgerConfig.defaults().schema());
        try {
            LedgerConfig.defaults().withSchema(schema); // refused here, naming the variable, not at startup
        } catch (WalletException e) {
            throw new IllegalArgumentException("WALLET_SCHEMA " + e.getMessage().replaceFirst("^schema ", ""));
        }
        Database database = new Database(
                optionalUrl(env, "DATABASE_URL"),
                optionalUrl(env, "WALLET_MIGRATION_DATABASE_URL"),
                Path.of(value(env, "WALLET_DATA_DIR", EmbeddedDatabase.DEFAULT_DIRECTORY.toString())),
                schema,
                integer(env, "WALLET_POOL_SIZE", 16),
                IsolationLevel.valueOf(choice(
                                env,
                                "WALLET_ISOLATION",
                                "read_committed",
                                "read_committed",
                                "repeatable_read",
                                "serializable")
                        .toUpperCase(Locale.ROOT)),
                bool(env, "WALLET_MIGRATE", true),
                bool(env, "WALLET_ALLOW_NON_DURABLE", false),
                bool(env, "WALLET_STARTER_ASSETS", true),
                choice(env, "WALLET_PGBOUNCER", "none", "none", "session", "transaction")
                        .equals("transaction"),
                optionalUrl(env, "WALLET_READ_DATABASE_URL"),
                walArchive(env));
        Listener listener = new Listener(
                value(env, "HOST", "127.0.0.1"),
                integer(env, "PORT", 3000),
                tls(env),
                Limits.defaults().withConnectionsMax(integer(env, "WALLET_CONNECTIONS_MAX", 1_000)));
        Auth auth = auth(env);
        Logs logs = new Logs(
                choice(env, "LOG_LEVEL", "info", "trace", "debug", "info", "warn", "error"),
                choice(env, "LOG_FORMAT", "text", "text", "json").equals("json"));
        return new ServerConfig(database, listener, auth, logs, webhooks(env));
    }

    public ServerConfig withWebhooks(WebhookSettings settings) {
        return new ServerConfig(database, listener, auth, logs, settings);
    }

    private static WebhookSettings webhooks(Map<String, String> env) {
        WebhookSettings defaults = WebhookSettings.defaults();
        return new WebhookSettings(
                bool(env, "WALLET_WEBHOOKS_ALLOW_PRIVATE", false),
                integer(env, "WALLET_WEBHOOKS_TIMEOUT_MILLIS", (int) defaults.timeoutMillis()),
                integer(env, "WALLET_WEBHOOKS_RETRY_WINDOW_MILLIS", (int) defaults.retryWindowMillis()),
                integer(env, "WALLET_WEBHOOKS_BACKOFF_MAX_MILLIS", (int) defaults.backoffMaxMillis()),
                integer(env, "WALLET_WEBHOOKS_SLOTS", defaults.slots()),
                integer(env, "WALLET_WEBHOOKS_POLL_MILLIS", (int) defaults.pollMillis()));
    }

    private static WalArchive walArchive(Map<String, String> env) {
        String directory = value(env, "WALLET_WAL_ARCHIVE_DIR", "");
        String max = value(env, "WALLET_WAL_ARCHIVE_MAX_BYTES", Long.toString(WAL_ARCHIVE_MAX_BYTES_DEFAULT));
        if (!max.matches("[0-9]{1,18}")) {
            throw new IllegalArgumentException(
                    "WALLET_WAL_ARCHIVE_MAX_BYTES must be a whole number of bytes, got \"" + max + "\"");
        }
        if (directory.isEmpty()) {
            WalArchive.to(Path.of("unused"), Long.parseLong(max)); // a wrong bound is refused even while off
            return WalArchive.OFF;
        }
        return WalArchive.to(Path.of(directory), Long.parseLong(max));
    }

    static final long WAL_ARCHIVE_MAX_BYTES_DEFAULT = 16L << 30;

    private static Optional<DatabaseUrl> optionalUrl(Map<String, String> env, String name) {
        String url = value(env, name, "");
        return url.isEmpty() ? Optional.empty() : Optional.of(DatabaseUrl.parse(url, name));
    }

    private static Auth auth(Map<String, String> env) {
        Optional<Path> file = optionalPath(env, "WALLET_API_KEYS_FILE");
        Auth auth = new Auth(
                ApiKeys.none(),
                bool(env, "WALLET_ALLOW_NO_AUTH", false),
                file,
                value(env, "WALLET_API_KEYS", ""),
                tokens(env));
        String text = file.map(path -> KeyFileWatcher.read("WALLET_API_KEYS_FILE", path, KEYS_FILE_BYTES_MAX))
                .orElse("");
        return new Auth(auth.parseApiKeys(text), auth.allowNoAuth(), file, auth.apiKeysInline(), auth.tokens());
    }

    private static Tokens tokens(Map<String, String> env) {
        TokenSettings settings = new TokenSettings(
                value(env, "WALLET_TOKEN_AUDIENCE", TokenSettings.AUDIENCE_DEFAULT),
                Optional.of(value(env, "WALLET_TOKEN_ISSUER", "")).filter(issuer -> !issuer.isEmpty()),
                integer(env, "WALLET_TOKEN_CLOCK_SKEW_SECONDS", TokenSettings.CLOCK_SKEW_SECONDS_DEFAULT),
                integer(env, "WALLET_TOKEN_MAX_TTL_SECONDS", TokenSettings.MAX_TTL_SECONDS_DEFAULT));
        Optional<Path> file = optionalPath(env, "WALLET_TOKEN_KEYS_FILE");
        TokenKeys keys = file.map(path -> TokenKeys.parse(
                        "WALLET_TOKEN_KEYS_FILE " + path,
                        KeyFileWatcher.read("WALLET_TOKEN_KEYS_FILE", path, TOKEN_KEYS_FILE_BYTES_MAX)))
                .orElse(TokenKeys.none());
        return new Tokens(keys, file, settings);
    }

    private static Optional<Path> optionalPath(Map<String, String> env, String name) {
        String text = value(env, name, "");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(name + " " + text + " is not a path: " + e.getMessage());
        }
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
        Tls tls = new Tls(
                Path.of(certificate),
                Path.of(key),
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
        throw new IllegalArgumentException(
                name + " must be one of " + String.join(", ", allowed) + ", got \"" + value + "\"");
    }
}
