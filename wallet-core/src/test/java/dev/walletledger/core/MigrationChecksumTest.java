package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Released migrations are frozen: a ledger migrated by a released version must upgrade by new migrations
 * only, never by a changed one (Flyway would refuse to start on it). This holds the SHA-256 of every
 * released migration; a change to one fails here. A new schema change is a new file, {@code V<n+1>__…},
 * added to this list when it is released.
 */
class MigrationChecksumTest {
    /** Every released migration and its SHA-256, by file name. */
    private static final Map<String, String> RELEASED = Map.of(
            "V1__ledger.sql", "d841da9bede44deff2cd98473d68414585bca989735028dd6686fa99940721f7" // 0.2.0
            );

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

    @Test
    void releasedMigrationsNeverChange() throws IOException {
        Map<String, String> found = migrations();
        for (Map.Entry<String, String> released : RELEASED.entrySet()) {
            assertTrue(found.containsKey(released.getKey()), "released migration " + released.getKey() + " is gone");
            assertEquals(
                    released.getValue(),
                    found.get(released.getKey()),
                    released.getKey() + " was released and must not change: put the change in a new migration");
        }
    }

    @Test
    void everyUnreleasedMigrationComesAfterTheReleasedOnes() throws IOException {
        int lastReleased = RELEASED.keySet().stream()
                .mapToInt(MigrationChecksumTest::version)
                .max()
                .orElse(0);
        for (String name : migrations().keySet()) {
            if (!RELEASED.containsKey(name)) {
                assertTrue(
                        version(name) > lastReleased,
                        name + " is not released, so its version must be above V" + lastReleased);
            }
        }
    }

    private static int version(String name) {
        Matcher m = VERSIONED.matcher(name);
        assertTrue(m.matches(), name + " is not a versioned migration (V<n>__<name>.sql)");
        return Integer.parseInt(m.group(1));
    }

    /** The migrations shipped in the jar, as built from {@code sql/}: name to SHA-256. */
    private static Map<String, String> migrations() throws IOException {
        Path directory = Path.of("").toAbsolutePath().getParent().resolve("sql");
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                out.put(file.getFileName().toString(), sha256(Files.readAllBytes(file)));
            }
        }
        assertTrue(!out.isEmpty(), "no migrations in " + directory);
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
