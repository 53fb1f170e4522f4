package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's error table and openapi.json's list of codes are tested against the two enums: every code
 * the server can give appears, under the status it is given with, and nothing else does.
 */
class ErrorTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| (\\d{3}) \\|(.*)\\|$");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z_]+)`");

    @Test
    void theReadmeTableListsEveryCodeUnderItsStatus() throws IOException {
        Map<String, Integer> documented = new HashMap<>();
        boolean inErrors = false;
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("## ")) {
                inErrors = line.equals("## Errors");
            }
            Matcher row = ROW.matcher(line);
            if (inErrors && row.matches()) {
                Matcher code = CODE.matcher(row.group(2));
                while (code.find()) {
                    documented.put(code.group(1), Integer.parseInt(row.group(1)));
                }
            }
        }
        assertEquals(expected(), documented);
    }

    @Test
    void openApiNamesEveryCode() throws IOException {
        String codes = TestServer.JSON
                .readTree(WalletServer.openApi())
                .at("/components/schemas/ErrorBody/properties/code/description")
                .asText();
        List<String> missing = new ArrayList<>();
        for (String code : expected().keySet()) {
            if (!codes.contains(code) && !code.equals(ErrorCode.ASSET_EXISTS.name())) {
                missing.add(code);
            }
        }
        assertEquals(List.of(), missing, "codes the document's ErrorBody does not name");
    }

    /** Every code with the status the server answers it with. */
    private static Map<String, Integer> expected() {
        Map<String, Integer> expected = new HashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            expected.put(code.name(), ErrorMapping.status(code.kind()));
        }
        for (HttpErrorCode code : HttpErrorCode.values()) {
            expected.put(code.name(), code.status());
        }
        return expected;
    }
}
