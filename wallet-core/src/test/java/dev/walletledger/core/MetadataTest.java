package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataTest {
    @Test
    void canonicalFormSortsKeysAndDropsWhiteSpace() {
        Metadata parsed = Metadata.parse(" { \"b\" : [1, 2.50, {\"y\":true,\"x\":null}], \"a\":\"é\\n\" } ");
        assertEquals("{\"a\":\"é\\n\",\"b\":[1,2.5,{\"x\":null,\"y\":true}]}", parsed.json());
    }

    @Test
    void numbersCompareByValue() {
        assertEquals(Metadata.parse("{\"n\":1000}"), Metadata.parse("{\"n\":1e3}"));
        assertEquals(Metadata.parse("{\"n\":1}"), Metadata.parse("{\"n\":1.000}"));
        assertEquals(Metadata.parse("{\"n\":0}"), Metadata.parse("{\"n\":-0.0}"));
        assertNotEquals(Metadata.parse("{\"n\":1}"), Metadata.parse("{\"n\":\"1\"}"));
        assertEquals(
                "{\"n\":1.5E-30}",
                Metadata.parse("{\"n\":0.0000000000000000000000000000015}").json());
    }

    @Test
    void mapsAndParsedTextAgree() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("z", List.of(1, 2L, new BigDecimal("3.10")));
        values.put("a", Map.of("k", "v"));
        values.put("d", 0.25);
        assertEquals(Metadata.parse("{\"a\":{\"k\":\"v\"},\"d\":0.25,\"z\":[1,2,3.1]}"), Metadata.of(values));
    }

    @Test
    void emptyObjectIsTheEmptyMetadata() {
        assertTrue(Metadata.parse("{}").isEmpty());
        assertEquals(Metadata.empty(), Metadata.parse(" {\n} "));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "[]",
                "1",
                "\"text\"",
                "null",
                "{",
                "}",
                "{\"a\":1,}",
                "{\"a\" 1}",
                "{a:1}",
                "{'a':1}",
                "{\"a\":1}{}",
                "{\"a\":1} x",
                "{\"a\":01}",
                "{\"a\":1.}",
                "{\"a\":.5}",
                "{\"a\":+1}",
                "{\"a\":NaN}",
                "{\"a\":Infinity}",
                "{\"a\":tru}",
                "{\"a\":\"\\x\"}",
                "{\"a\":\"\\u12\"}",
                "{\"a\":\"line\nbreak\"}",
                "{\"a\":1,\"a\":2}",
                "{\"a\":\"\\u0000\"}",
                "{\"a\":\"\\ud800\"}",
                "{\"a\":1e5000}",
                "{\"a\":[1,2}",
                "{\"a\":\"unterminated}",
                "/*c*/{}"
            })
    void strictParserRefuses(String text) {
        WalletException e = assertThrows(WalletException.class, () -> Metadata.parse(text));
        assertEquals(ErrorCode.VALIDATION_FAILED, e.code());
        assertEquals("metadata", e.details().get("field"));
    }

    @Test
    void depthIsBounded() {
        String ok = "{\"a\":".repeat(7) + "{}" + "}".repeat(7);
        Metadata.parse(ok);
        String deep = "{\"a\":".repeat(8) + "{}" + "}".repeat(8);
        assertThrows(WalletException.class, () -> Metadata.parse(deep));
        String arrays = "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertThrows(WalletException.class, () -> Metadata.parse(arrays));
    }

    @Test
    void sizeIsBounded() {
        String big = "{\"a\":\"" + "x".repeat(Metadata.BYTES_MAX) + "\"}";
        assertThrows(WalletException.class, () -> Metadata.parse(big));
        String justFits = "{\"a\":\"" + "x".repeat(Metadata.BYTES_MAX - 8) + "\"}";
        assertEquals(Metadata.BYTES_MAX, Metadata.parse(justFits).json().length());
    }

    @Test
    void javaValuesAreChecked() {
        assertThrows(WalletException.class, () -> Metadata.of(Map.of("a", Double.NaN)));
        assertThrows(WalletException.class, () -> Metadata.of(Map.of("a", new Object())));
        assertThrows(WalletException.class, () -> Metadata.of(Map.of("a", "\u0000")));
    }
}
