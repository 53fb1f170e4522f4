package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The key files are re-read while the server runs: a removed key stops working within the poll period, a new one
 * starts, and a broken file keeps the keys in force (logged at ERROR with the file and line, never a hash). The
 * waits are bounded loops with a deadline, never a fixed sleep that a slow machine could outrun.
 */
class KeyReloadTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Several poll periods: a slow machine still sees the change well within it. */
    private static final long DEADLINE_MILLIS = 20 * KeyFileWatcher.POLL_MILLIS;

    @TempDir
    Path directory;

    @Test
    void apiKeysAreRevokedAndAddedWithoutARestart() throws Exception {
        ApiKeys.Generated first = ApiKeys.generate("first", EnumSet.of(Scope.READ), RANDOM);
        ApiKeys.Generated second = ApiKeys.generate("second-key", EnumSet.of(Scope.READ), RANDOM);
        ApiKeys.Generated inline = ApiKeys.generate("inline", EnumSet.of(Scope.READ), RANDOM);
        Path file = directory.resolve("keys");
        replace(file, first.line() + "\n");
        ListAppender<ILoggingEvent> log = listen();
        try (TestServer server = new TestServer(ServerConfig.fromEnvironment(Map.of(
                "PORT",
                "0",
                "WALLET_ALLOW_NON_DURABLE",
                "true",
                "WALLET_API_KEYS_FILE",
                file.toString(),
                "WALLET_API_KEYS",
                inline.line())))) {
            assertEquals(200, status(server, first.key()));
            replace(file, "# first revoked\n" + second.line() + "\n");
            awaitStatus(server, first.key(), 401);
            assertEquals(200, status(server, second.key()));
            assertEquals(200, status(server, inline.key()), "WALLET_API_KEYS stays whatever the file says");
            assertTrue(logged(log, Level.INFO, "second-key"), "the reload is logged with the key ids");

            // A broken file: the keys in force stay, and the error names the file and line.
            replace(file, second.line() + "\nnot a key line\n");
            await(() -> logged(log, Level.ERROR, file + " line 2"), "an ERROR naming " + file + " line 2");
            assertEquals(200, status(server, second.key()));
            assertEquals(401, status(server, first.key()));
            for (ILoggingEvent event : List.copyOf(log.list)) {
                String text = event.getFormattedMessage();
                assertFalse(text.matches("(?s).*sha256:[0-9a-f]{32}.*"), "no hash is ever logged: " + text);
                assertFalse(text.contains(second.line().split(" ")[2]), text);
                assertFalse(text.contains(second.key()), text);
            }

            // Emptied: no key works, and the server does not turn open.
            replace(file, "");
            awaitStatus(server, second.key(), 401);
            assertEquals(401, status(server, null));
            assertEquals(200, status(server, inline.key()));

            // Rewritten in place (not replaced by a rename): seen as well.
            Files.writeString(file, first.line() + "\n");
            awaitStatus(server, first.key(), 200);
        } finally {
            detach(log);
        }
    }

    @Test
    void tokenKeysRotateByKid() throws Exception {
        OctetKeyPair old = TestTokens.ed25519("2026-11");
        ECKey next = TestTokens.p256("2026-12");
        Path file = directory.resolve("jwks.json");
        replace(file, TestTokens.publicSet(old, next));
        ListAppender<ILoggingEvent> log = listen();
        try (TestServer server = new TestServer(ServerConfig.fromEnvironment(Map.of(
                "PORT", "0",
                "WALLET_ALLOW_NON_DURABLE", "true",
                "WALLET_TOKEN_KEYS_FILE", file.toString())))) {
            String byOld = TestTokens.sign(
                    old, TestTokens.claims("dana", Instant.now()).build());
            String byNext = TestTokens.sign(
                    next, TestTokens.claims("dana", Instant.now()).build());
            assertEquals(200, status(server, byOld), "both kids work while both are in the file");
            assertEquals(200, status(server, byNext));

            replace(file, TestTokens.publicSet(next));
            awaitStatus(server, byOld, 401);
            assertEquals(200, status(server, byNext));

            // A private key put in the file by mistake: refused whole, the keys in force stay.
            replace(file, TestTokens.publicSet(next).replace("\"kty\"", "\"d\": \"AAAA\", \"kty\""));
            await(() -> logged(log, Level.ERROR, "private members"), "an ERROR about private members");
            assertEquals(200, status(server, byNext));
        } finally {
            detach(log);
        }
    }

    /** Reading the balance of dana, or of alice with an API key; the status. */
    private static int status(TestServer server, String bearer) {
        String path = bearer != null && !bearer.startsWith(ApiKeys.PREFIX)
                ? "/api/v1/wallets/dana/balance"
                : "/api/v1/wallets/alice/balance";
        return PlayerTokensHttpTest.send(server, "GET", path, bearer, null).status();
    }

    private static void awaitStatus(TestServer server, String bearer, int expected) throws InterruptedException {
        await(() -> status(server, bearer) == expected, "status " + expected);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within " + DEADLINE_MILLIS + " ms");
            }
            Thread.sleep(100);
        }
    }

    /** Writes a new file and renames it over the old one, as a deployment (or a mounted secret) does. */
    private static void replace(Path file, String text) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ListAppender<ILoggingEvent> listen() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(KeyFileWatcher.class)).addAppender(log);
        return log;
    }

    private static void detach(ListAppender<ILoggingEvent> log) {
        ((Logger) LoggerFactory.getLogger(KeyFileWatcher.class)).detachAppender(log);
    }

    private static boolean logged(ListAppender<ILoggingEvent> log, Level level, String text) {
        return List.copyOf(log.list).stream()
                .anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
    }
}
