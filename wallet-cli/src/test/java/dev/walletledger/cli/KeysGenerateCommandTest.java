package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code wallet keys generate}: no database, a fresh key each run, the server's line format. */
class KeysGenerateCommandTest {
    /** The same vector as wallet-http's {@code ApiKeysTest}: the server accepts exactly this line for this key. */
    private static final String GOLDEN_KEY = "wlk_game-server.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    private static final String GOLDEN_LINE = "game-server read,write sha256:000102030405060708090a0b0c0d0e0f:"
            + "ad97c5c624eb2b242eb2d5fcfbb4c8ec5384e97398e4a060229dd21668133ba6";

    @Test
    void theGoldenVectorMatchesTheServer() {
        assertEquals(
                GOLDEN_LINE,
                KeysGenerateCommand.line(
                        "game-server",
                        "read,write",
                        GOLDEN_KEY,
                        HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f")));
    }

    @Test
    void printsAKeyAndItsLineWithoutADatabase() throws Exception {
        String[] first = run(0, "keys", "generate", "--id", "game-server", "--scopes", "write, read")
                .split("\n");
        assertTrue(first[1].strip().matches("wlk_game-server\\.[A-Za-z0-9_-]{43}"), first[1]);
        String line = first[3].strip();
        assertTrue(line.matches("game-server read,write sha256:[0-9a-f]{32}:[0-9a-f]{64}"), line);
        assertFalse(line.contains(first[1].strip()), "the line never holds the key");
        String salt = line.substring(line.indexOf(':') + 1, line.lastIndexOf(':'));
        assertEquals(
                line,
                KeysGenerateCommand.line(
                        "game-server",
                        "read,write",
                        first[1].strip(),
                        HexFormat.of().parseHex(salt)));
        JsonNode json =
                new ObjectMapper().readTree(run(0, "keys", "generate", "--id", "ops", "--scopes", "admin", "--json"));
        assertEquals("ops", json.get("key_id").asText());
        assertEquals("admin", json.get("scopes").asText());
        assertTrue(json.get("line").asText().startsWith("ops admin sha256:"));
        assertFalse(json.get("key").asText().equals(first[1].strip()));
    }

    @Test
    void badIdsAndScopesAreUsageErrors() {
        assertTrue(run(64, "keys", "generate", "--id", "-x", "--scopes", "read").isEmpty());
        run(64, "keys", "generate", "--id", "a b", "--scopes", "read");
        run(64, "keys", "generate", "--id", "ops", "--scopes", "root");
        run(64, "keys", "generate", "--id", "ops", "--scopes", "read,read");
        run(64, "keys", "generate", "--id", "ops", "--scopes", "");
        run(64, "keys", "generate", "--scopes", "read");
        run(64, "keys", "generate", "--id", "ops");
    }

    /** Runs the CLI with a connector that fails the test if any database is asked for. */
    private static String run(int exitCode, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(
                target -> {
                    throw new AssertionError("keys generate must not open a database");
                },
                Map.of(),
                false,
                System::nanoTime);
        int code;
        try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = cli.run(args, stdout, stderr);
        }
        assertEquals(exitCode, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
