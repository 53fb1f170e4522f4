package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server and the CLI use the library as any program would: through {@code dev.walletledger.core} and
 * {@code dev.walletledger.runtime}, never {@code dev.walletledger.core.internal} (see its package-info).
 */
class ModuleBoundaryTest {
    @Test
    void serverAndCliMainCodeNeverImportTheEnginesInternals() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> offenders = new ArrayList<>();
        int files = 0;
        for (String module : List.of("wallet-http", "wallet-cli")) {
            Path sources = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), sources + " is not a directory");
            try (Stream<Path> paths = Files.walk(sources)) {
                for (Path file :
                        paths.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).contains("dev.walletledger.core.internal")) {
                            offenders.add(root.relativize(file) + ":" + (i + 1) + ": "
                                    + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertTrue(files > 50, "found only " + files + " source files: wrong directory?");
        assertEquals(List.of(), offenders);
    }

    /**
     * The CLI uses the server module for its JSON answers, its scope names and its player-token formats (keys and
     * claims the server accepts) only, never the server itself.
     */
    @Test
    void theCliUsesOnlyTheServersWireAndScopes() throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(sources)) {
            for (Path file : paths.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String text = line.strip();
                    if (text.startsWith("import dev.walletledger.http.")
                            && !text.startsWith("import dev.walletledger.http.wire.")
                            && !text.startsWith("import dev.walletledger.http.tokens.")
                            && !text.equals("import dev.walletledger.http.Scope;")) {
                        offenders.add(file.getFileName() + ": " + text);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
