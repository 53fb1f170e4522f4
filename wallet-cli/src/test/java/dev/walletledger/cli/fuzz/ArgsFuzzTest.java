package dev.walletledger.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.walletledger.cli.Cli;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.WalletException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * R10 for the command line: any token list (the fuzzer's bytes split at NUL, as a shell would pass them)
 * through {@link Cli#run}, the hand-written argument parser and every command's option handling, with a
 * fake connector that has no database (it answers STORAGE_UNAVAILABLE). The exit code must be one the
 * parser or the connector explains (0, 64 usage, 65 data, 66 not found, 69 unavailable): never 70
 * (INTERNAL: an unexpected exception) and never a thrown exception.
 *
 * <p>The connector type is package-private to {@code dev.walletledger.cli}; this test builds one with a
 * {@link Proxy} and calls the public constructor, rather than adding test code to the main package.
 * Every build replays {@code src/test/resources/dev/walletledger/cli/fuzz/ArgsFuzzTestInputs/arguments/}.
 */
class ArgsFuzzTest {
    private static final Set<Integer> EXPLAINED = Set.of(0, 64, 65, 66, 69);
    static final Cli CLI = cli();

    @FuzzTest(maxDuration = "5m")
    void arguments(byte[] input) {
        String[] argv = tokens(input);
        if (List.of(argv).contains("bench")) {
            return; // 'wallet bench' starts PostgreSQL and a benchmark itself, outside the connector seam
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = CLI.run(argv, stdout, stderr);
        }
        String errors = err.toString(StandardCharsets.UTF_8);
        assertTrue(EXPLAINED.contains(exit), "exit " + exit + " for " + List.of(argv) + "\n" + errors);
        assertTrue(!errors.contains("\tat "), "a stack trace for " + List.of(argv) + "\n" + errors);
    }

    static String[] tokens(byte[] input) {
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length && tokens.size() < 64; i++) {
            if (i == input.length || input[i] == 0) {
                tokens.add(new String(input, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return tokens.toArray(new String[0]);
    }

    /** A Cli whose connector refuses every connection as the real one does for a database that is down. */
    static Cli cli() {
        try {
            Class<?> connectorType = Class.forName("dev.walletledger.cli.Database$Connector");
            Object connector = Proxy.newProxyInstance(
                    ArgsFuzzTest.class.getClassLoader(), new Class<?>[] {connectorType}, (proxy, method, args) -> {
                        if (method.getName().equals("connect")) {
                            throw WalletException.of(
                                    ErrorCode.STORAGE_UNAVAILABLE, "no database in the fuzz test", Map.of());
                        }
                        return method.getName().equals("toString") ? "fuzz-connector" : null;
                    });
            Constructor<Cli> constructor =
                    Cli.class.getConstructor(connectorType, Map.class, boolean.class, LongSupplier.class);
            LongSupplier clock = () -> 0L;
            return constructor.newInstance(connector, Map.of(), false, clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Cli seam changed: " + e, e);
        }
    }
}
