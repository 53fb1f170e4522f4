package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys are required on any non-loopback address unless the operator overrides it; the new variables. */
class SecureByDefaultTest {
    private static final String LINE =
            ApiKeys.generate("svc", EnumSet.of(Scope.READ), new SecureRandom()).line();

    private static ServerConfig config(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return ServerConfig.fromEnvironment(env);
    }

    @Test
    void theAccessDecision() {
        assertEquals(ServerConfig.Access.OPEN_LOOPBACK, config().access());
        assertEquals(
                ServerConfig.Access.OPEN_LOOPBACK, config("HOST", "localhost").access());
        assertEquals(ServerConfig.Access.OPEN_LOOPBACK, config("HOST", "::1").access());
        assertEquals(ServerConfig.Access.KEYS, config("WALLET_API_KEYS", LINE).access());
        assertEquals(
                ServerConfig.Access.KEYS,
                config("HOST", "0.0.0.0", "WALLET_API_KEYS", LINE).access());
        assertEquals(
                ServerConfig.Access.OPEN_BY_OPERATOR,
                config("HOST", "0.0.0.0", "WALLET_ALLOW_NO_AUTH", "true").access());
    }

    /** Refused with the configuration, naming HOST: before any data directory or database is touched. */
    @Test
    void aReachableAddressWithoutKeysIsARefusedSetting() {
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.10", "no-such-host.invalid"}) {
            IllegalArgumentException refused =
                    assertThrows(IllegalArgumentException.class, () -> config("HOST", host), host);
            assertTrue(refused.getMessage().startsWith("HOST " + host + " "), refused.getMessage());
            assertTrue(refused.getMessage().contains("WALLET_ALLOW_NO_AUTH"), refused.getMessage());
        }
        ServerConfig keyed = config("HOST", "0.0.0.0", "WALLET_API_KEYS", LINE);
        assertThrows(IllegalArgumentException.class, () -> keyed.withApiKeys(ApiKeys.none()));
    }

    @Test
    void keysFromAFileAndTheEnvironment(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("keys");
        String other = ApiKeys.generate("ops", EnumSet.of(Scope.ADMIN), new SecureRandom())
                .line();
        Files.writeString(file, "# wallet keys\n" + other + "\n");
        ServerConfig config = config(
                "WALLET_API_KEYS_FILE",
                file.toString(),
                "WALLET_API_KEYS",
                LINE,
                "WALLET_CONNECTIONS_MAX",
                "50",
                "WALLET_MIGRATION_DATABASE_URL",
                "postgresql://owner:pw@db/wallet",
                "WALLET_ALLOW_NO_AUTH",
                "true");
        assertEquals(java.util.List.of("ops", "svc"), config.auth().apiKeys().ids());
        assertEquals(50, config.listener().limits().connectionsMax());
        assertEquals("owner", config.database().migrationUrl().orElseThrow().user());
        assertTrue(config.auth().allowNoAuth());
        assertFalse(config.toString().contains(LINE.split(" ")[2]), "the config's toString shows key ids only");
        assertTrue(config().auth().apiKeys().isEmpty());
        assertFalse(config().auth().allowNoAuth());
        assertEquals(Limits.defaults(), config().listener().limits());
    }

    @Test
    void wrongSecurityValuesNameTheVariable(@TempDir Path directory) {
        String[][] cases = {
            {"WALLET_API_KEYS", "svc read"},
            {"WALLET_API_KEYS_FILE", directory.resolve("missing").toString()},
            {"WALLET_ALLOW_NO_AUTH", "yes"},
            {"WALLET_TOKEN_KEYS_FILE", directory.resolve("missing.json").toString()},
            {"WALLET_TOKEN_CLOCK_SKEW_SECONDS", "301"},
            {"WALLET_TOKEN_MAX_TTL_SECONDS", "0"},
            {"WALLET_TOKEN_MAX_TTL_SECONDS", "604801"},
            {"WALLET_TOKEN_AUDIENCE", "x".repeat(257)},
            {"WALLET_CONNECTIONS_MAX", "0"},
            {"WALLET_TLS_CERT", directory.resolve("cert.pem").toString()},
            {"WALLET_TLS_CLIENT_CA", directory.resolve("ca.pem").toString()},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(c[0], c[1]), c[0]);
            assertTrue(e.getMessage().contains(c[0]), c[0] + ": " + e.getMessage());
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> config(
                        "WALLET_TLS_CERT", directory.resolve("cert.pem").toString(),
                        "WALLET_TLS_KEY", directory.resolve("key.pem").toString()));
        assertTrue(e.getMessage().contains("WALLET_TLS_CERT"), e.getMessage());
    }
}
