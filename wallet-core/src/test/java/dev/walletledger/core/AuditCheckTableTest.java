package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's table of audit checks is the enum: every check, in order, by its wire name, and no other. */
class AuditCheckTableTest {
    @Test
    void theReadmeListsEveryCheckInOrder() throws IOException {
        List<String> documented = new ArrayList<>();
        boolean inAudit = false;
        Pattern row = Pattern.compile("^\\| `([a-z_]+)` \\| .+ \\|$");
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("### ")) {
                inAudit = line.equals("### The audit");
            }
            Matcher matcher = row.matcher(line);
            if (inAudit && matcher.matches()) {
                documented.add(matcher.group(1));
            }
        }
        assertEquals(
                Arrays.stream(AuditCheck.values()).map(AuditCheck::wireName).toList(), documented);
    }
}
