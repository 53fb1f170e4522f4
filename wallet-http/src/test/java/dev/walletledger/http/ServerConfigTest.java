package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.IsolationLevel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void defaults() {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of());
        assertTrue(config.databaseUrl().isEmpty());
        assertEquals(Path.of("wallet-data"), config.dataDirectory());
        assertEquals("127.0.0.1", config.host());
        assertEquals(3000, config.port());
        assertEquals(IsolationLevel.READ_COMMITTED, config.isolation());
        assertTrue(config.migrate());
        assertFalse(config.allowNonDurable());
        assertFalse(config.jsonLogs());
    }

    @Test
    void everyVariable() {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of(
                "DATABASE_URL", "postgresql://wallet:pw@db:5432/wallet", "PORT", "8080", "HOST", "0.0.0.0",
                "LOG_LEVEL", "DEBUG", "LOG_FORMAT", "json", "WALLET_POOL_SIZE", "32",
                "WALLET_ISOLATION", "serializable", "WALLET_MIGRATE", "false", "WALLET_ALLOW_NON_DURABLE", "true",
                "WALLET_DATA_DIR", "/var/lib/wallet"));
        assertEquals("jdbc:postgresql://db:5432/wallet", config.databaseUrl().orElseThrow().jdbcUrl());
        assertEquals(8080, config.port());
        assertEquals("debug", config.logLevel());
        assertTrue(config.jsonLogs());
        assertEquals(32, config.poolSize());
        assertEquals(IsolationLevel.SERIALIZABLE, config.isolation());
        assertFalse(config.migrate());
        assertTrue(config.allowNonDurable());
    }

    @Test
    void wrongValuesNameTheVariable() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("PORT", "http"))).getMessage().contains("PORT"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("PORT", "70000"))).getMessage().contains("PORT"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("WALLET_ISOLATION", "snapshot"))).getMessage()
                .contains("WALLET_ISOLATION"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("WALLET_MIGRATE", "yes"))).getMessage().contains("WALLET_MIGRATE"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("WALLET_POOL_SIZE", "0"))).getMessage().contains("WALLET_POOL_SIZE"));
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("DATABASE_URL", "mysql://root:hunter2@x/y")));
        assertFalse(url.getMessage().contains("hunter2"));
    }
}
