package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure output pieces: units, JSON, tables, exit codes. */
class OutputTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void minorUnitsShowInMajorUnitsExactly() {
        assertEquals("12.50", Units.major(1250, 2));
        assertEquals("0.05", Units.major(5, 2));
        assertEquals("-0.05", Units.major(-5, 2));
        assertEquals("0.00", Units.major(0, 2));
        assertEquals("1250", Units.major(1250, 0));
        assertEquals("9.223372036854775807", Units.major(Long.MAX_VALUE, 18));
        assertEquals("-92233720368547758.08", Units.major(BigInteger.valueOf(Long.MIN_VALUE), 2));
    }

    @Test
    void jsonRoundTripsThroughARealParser() throws Exception {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put(
                "text", "quote \" backslash \\ newline \n tab \t nul \u0000 esc \u001b del \u007f ls \u2028 é 金 😀");
        document.put("long", Long.MIN_VALUE);
        document.put("big", new BigInteger("123456789012345678901234567890"));
        document.put("none", null);
        document.put("yes", true);
        document.put("list", List.of(1, "two", List.of()));
        document.put("kind", ErrorCode.Kind.BUSY);
        document.put("raw", new Json.Raw("{\"a\":[1,2.5]}"));
        String json = Json.write(document);
        JsonNode parsed = MAPPER.readTree(json);
        assertEquals(document.get("text"), parsed.get("text").asText());
        assertEquals(Long.MIN_VALUE, parsed.get("long").asLong());
        assertEquals(
                new BigInteger("123456789012345678901234567890"),
                parsed.get("big").bigIntegerValue());
        assertEquals(true, parsed.get("none").isNull());
        assertEquals("BUSY", parsed.get("kind").asText());
        assertEquals(2.5, parsed.get("raw").get("a").get(1).asDouble());
        assertEquals(3, parsed.get("list").size());
    }

    @Test
    void tablesPadToTheWidestCellAndRightAlignNumbersWithoutTrailingSpaces() {
        Table table = Table.of("NAME", Table.Align.LEFT, "AMOUNT", Table.Align.RIGHT, "NOTE", Table.Align.LEFT)
                .row("alice", "12.50", "x")
                .row("金貨", "7", "longer note");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals("""
                NAME   AMOUNT  NOTE
                alice   12.50  x
                金貨          7  longer note
                """, bytes.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> table.row("one cell"));
    }

    @Test
    void everyErrorKindHasItsExitCode() {
        Map<ErrorCode.Kind, Integer> expected = Map.of(
                ErrorCode.Kind.INVALID, // a value refused as malformed: the command line is wrong
                64,
                ErrorCode.Kind.REFUSED,
                65,
                ErrorCode.Kind.CONFLICT,
                65,
                ErrorCode.Kind.NOT_FOUND,
                66,
                ErrorCode.Kind.UNAVAILABLE,
                69,
                ErrorCode.Kind.INTERNAL,
                70,
                ErrorCode.Kind.BUSY,
                75);
        assertEquals(ErrorCode.Kind.values().length, expected.size());
        for (ErrorCode.Kind kind : ErrorCode.Kind.values()) {
            assertEquals(expected.get(kind), ExitCode.of(kind).code, kind.name());
        }
        assertEquals(
                List.of(0, 64, 65, 66, 69, 70, 75),
                Arrays.stream(ExitCode.values()).map(exitCode -> exitCode.code).toList());
    }
}
