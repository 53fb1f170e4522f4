package dev.walletledger.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Found by {@link ArgsFuzzTest} (Jazzer): a two-word command passed as one argument ({@code wallet 'assets add'},
 * as a script quoting it would) is resolved as the command, then {@code Cli.run} skips two tokens of a
 * one-token list: {@code IllegalArgumentException: fromIndex(2) > toIndex(1)}, exit 70 INTERNAL_ERROR
 * instead of 64 USAGE. Fixed in {@code Cli.resolve}: a two-word name matches two words only.
 */
class CommandWordsTest {
    @Test
    void aTwoWordCommandInOneArgumentIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = ArgsFuzzTest.CLI.run(new String[] {"assets add"}, out, stderr);
        }
        assertEquals(64, exit, err.toString(StandardCharsets.UTF_8));
    }
}
