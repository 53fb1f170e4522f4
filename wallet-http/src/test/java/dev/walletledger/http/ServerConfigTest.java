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
        assertTrue(config.database().url().isEmpty());
        assertEquals(Path.of("wallet-data"), config.database().dataDirectory());
        assertEquals("127.0.0.1", config.listener().host());
        assertEquals(3000, config.listener().port());
        assertEquals(IsolationLevel.READ_COMMITTED, config.database().isolation());
        assertTrue(config.database().migrate());
        assertFalse(config.database().allowNonDurable());
        assertFalse(config.logs().json());
        assertEquals("wallet", config.database().schema());
    }

    @Test
    void everyVariable() {
        ServerConfig config = ServerConfig.fromEnvironment(Map.ofEntries(
                Map.entry("DATABASE_URL", "postgresql://wallet:pw@db:5432/wallet"),
                Map.entry("PORT", "8080"),
                Map.entry("HOST", "0.0.0.0"),
                Map.entry("WALLET_ALLOW_NO_AUTH", "true"),
                Map.entry("LOG_LEVEL", "DEBUG"),
                Map.entry("LOG_FORMAT", "json"),
                Map.entry("WALLET_POOL_SIZE", "32"),
                Map.entry("WALLET_ISOLATION", "serializable"),
                Map.entry("WALLET_MIGRATE", "false"),
                Map.entry("WALLET_ALLOW_NON_DURABLE", "true"),
                Map.entry("WALLET_DATA_DIR", "/var/lib/wallet"),
                Map.entry("WALLET_SCHEMA", "books")));
        assertEquals("books", config.database().schema());
        assertEquals(
                "jdbc:postgresql://db:5432/wallet",
                config.database().url().orElseThrow().jdbcUrl());
        assertEquals(8080, config.listener().port());
        assertEquals("debug", config.logs().level());
        assertTrue(config.logs().json());
        assertEquals(32, config.database().poolSize());
        assertEquals(IsolationLevel.SERIALIZABLE, config.database().isolation());
        assertFalse(config.database().migrate());
        assertTrue(config.database().allowNonDurable());
    }

    @Test
    void wrongValuesNameTheVariable() {
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(Map.of("PORT", "http")))
                        .getMessage()
                        .contains("PORT"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(Map.of("PORT", "70000")))
                .getMessage()
                .contains("PORT"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(Map.of("WALLET_ISOLATION", "snapshot")))
                .getMessage()
                .contains("WALLET_ISOLATION"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(Map.of("WALLET_MIGRATE", "yes")))
                .getMessage()
                .contains("WALLET_MIGRATE"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(Map.of("WALLET_POOL_SIZE", "0")))
                .getMessage()
                .contains("WALLET_POOL_SIZE"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(Map.of("WALLET_SCHEMA", "Drop Table")))
                .getMessage()
                .contains("WALLET_SCHEMA"));
        IllegalArgumentException url = assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("DATABASE_URL", "mysql://root:hunter2@x/y")));
        assertFalse(url.getMessage().contains("hunter2"));
        IllegalArgumentException read = assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.fromEnvironment(Map.of("WALLET_READ_DATABASE_URL", "mysql://root:hunter2@x/y")));
        assertTrue(read.getMessage().startsWith("WALLET_READ_DATABASE_URL "), read.getMessage());
        assertFalse(read.getMessage().contains("hunter2"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(
                                Map.of("WALLET_WAL_ARCHIVE_DIR", "/tmp/a", "WALLET_WAL_ARCHIVE_MAX_BYTES", "1000")))
                .getMessage()
                .contains("WALLET_WAL_ARCHIVE_MAX_BYTES"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.fromEnvironment(
                                Map.of("WALLET_WAL_ARCHIVE_DIR", "/tmp/a", "DATABASE_URL", "postgresql://h/db")))
                .getMessage()
                .contains("archive_command on that server"));
    }
}
