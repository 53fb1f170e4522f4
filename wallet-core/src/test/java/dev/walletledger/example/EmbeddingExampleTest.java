package dev.walletledger.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddingExampleTest {
    @Test
    void theReadmeExampleRunsAndIsTheOneInTheReadme() throws Exception {
        TestDatabase.Target target = TestDatabase.target();
        try {
            assertEquals(
                    9_700,
                    EmbeddingExample.run(target.jdbcUrl(), target.user(), target.password())
                            .balance());
            // Run twice: the migration is a no-op and the writes are replays, so the balance is unchanged.
            assertEquals(
                    9_700,
                    EmbeddingExample.run(target.jdbcUrl(), target.user(), target.password())
                            .balance());
        } finally {
            // The example uses the default schema, "wallet". On a server of the user's it did not exist before
            // (TestDatabase refuses a server that holds one), so it goes again.
            if (target.kind() != TestDatabase.Kind.EMBEDDED) {
                TestDatabase.execute("DROP SCHEMA IF EXISTS wallet CASCADE");
            }
        }

        String source = Files.readString(Path.of("src/test/java/dev/walletledger/example/EmbeddingExample.java"));
        String example = trimLines(source.substring(
                source.indexOf("// README:begin") + "// README:begin".length(), source.indexOf("// README:end")));
        String readme = trimLines(Files.readString(Path.of("../README.md")));
        assertTrue(readme.contains(example), "README.md must show EmbeddingExample verbatim:\n" + example);
    }

    private static String trimLines(String text) {
        return text.strip().lines().map(String::strip).collect(java.util.stream.Collectors.joining("\n"));
    }
}
