package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parser as pure functions: tokens in, {@link Args.Parsed} or a {@link UsageException} naming the argument out. */
class ArgsTest {
    private static final List<Args.Option> OPTIONS = List.of(
            Args.Option.value("--asset", "CODE", "the asset"),
            Args.Option.value("--amount", "N", "minor units"),
            Args.Option.value("--reference", "REF", "the reference"),
            Args.Option.flag("--json", "json"),
            Args.Option.flag("--help", "help"));

    private static Args.Parsed parse(String... tokens) {
        return Args.parse(OPTIONS, List.of(tokens));
    }

    private static String refused(String... tokens) {
        return assertThrows(UsageException.class, () -> parse(tokens)).getMessage();
    }

    @Test
    void valuesInBothSpellingsSwitchesAndPositionalsInOrder() {
        Args.Parsed parsed = parse("alice", "--asset", "GOLD_COINS", "--amount=100", "--json", "extra");
        assertEquals(List.of("alice", "extra"), parsed.positionals());
        assertEquals(Map.of("--asset", "GOLD_COINS", "--amount", "100"), parsed.values());
        assertTrue(parsed.has("--json"));
        assertFalse(parsed.has("--help"));
    }

    @Test
    void aValueMayContainEqualsSignsAndSpacesAndAnyScript() {
        Args.Parsed parsed = parse("--reference=a=b c", "--asset", "金貨", "用户_ü");
        assertEquals("a=b c", parsed.value("--reference").orElseThrow());
        assertEquals("金貨", parsed.value("--asset").orElseThrow());
        assertEquals(List.of("用户_ü"), parsed.positionals());
    }

    @Test
    void doubleDashEndsOptions() {
        Args.Parsed parsed = parse("--json", "--", "--asset", "-x", "--");
        assertEquals(List.of("--asset", "-x", "--"), parsed.positionals());
        assertTrue(parsed.has("--json"));
    }

    @Test
    void dashHIsHelpAndALoneDashOrANegativeNumberIsPositional() {
        assertTrue(parse("-h").has("--help"));
        assertEquals(List.of("-", "-5"), parse("-", "-5").positionals());
        assertEquals("-5", parse("--amount", "-5").value("--amount").orElseThrow());
    }

    @Test
    void unknownOptionsAreNamedWithASuggestionWhenOneIsClose() {
        assertEquals("unknown option '--assett'; did you mean --asset?", refused("--assett", "X"));
        assertEquals("unknown option '--frobnicate'", refused("--frobnicate"));
        assertEquals("unknown option '--colour'", refused("--colour=red"));
        assertEquals("unknown option '-x'", refused("-x"));
    }

    @Test
    void missingEmptyAndSwallowedValuesAreRefused() {
        assertEquals("--asset needs a value (CODE)", refused("alice", "--asset"));
        assertEquals("--amount needs a value (N), got an empty one", refused("--amount="));
        assertEquals("--amount needs a value (N), got an empty one", refused("--amount", ""));
        assertEquals("--reference needs a value (REF)", refused("--reference", "--json"));
        assertEquals("--reference needs a value (REF)", refused("--reference", "--"));
        assertEquals("--reference needs a value (REF)", refused("--reference", "-h"));
        // said on purpose, an option-like value is fine
        assertEquals("--json", parse("--reference=--json").value("--reference").orElseThrow());
    }

    @Test
    void repeatedOptionsAndValuesOnSwitchesAreRefused() {
        assertEquals("--asset is given twice", refused("--asset", "A", "--asset=B"));
        assertEquals("--json takes no value, got '--json=true'", refused("--json=true"));
        assertTrue(parse("--json", "--json").has("--json")); // same meaning twice: harmless
    }

    @Test
    void leadingOptionsStopAtTheCommandWord() {
        Args.Leading leading = Args.parse(OPTIONS, List.of("--json", "--asset", "A", "topup", "--amount", "1"), true);
        assertTrue(leading.parsed().has("--json"));
        assertEquals(List.of("topup", "--amount", "1"), leading.rest());
        assertEquals(
                "--asset is given twice",
                assertThrows(UsageException.class, () -> leading.parsed().merge(parse("--asset", "B")))
                        .getMessage());
    }

    @Test
    void wholeNumbersRefuseEverythingButPlainDigitsInRange() {
        assertEquals(1250, Args.wholeNumber("--amount", "1250", 1, 1_000_000_000_000_000L));
        assertEquals(
                1_000_000_000_000_000L, Args.wholeNumber("--amount", "1000000000000000", 1, 1_000_000_000_000_000L));
        assertEquals(7, Args.wholeNumber("--amount", "007", 1, 10));
        for (String bad : List.of(
                "1.5",
                "1e3",
                "-5",
                "+5",
                "0",
                " 5",
                "5 ",
                "",
                "0x10",
                "1_000",
                "١٢",
                "½",
                "1000000000000001",
                "9223372036854775808",
                "99999999999999999999999999999",
                "NaN",
                "Infinity")) {
            String message = assertThrows(
                            UsageException.class,
                            () -> Args.wholeNumber("--amount", bad, 1, 1_000_000_000_000_000L),
                            bad)
                    .getMessage();
            assertTrue(
                    message.startsWith("--amount must be a whole number from 1 to 1000000000000000, got '"), message);
        }
    }

    @Test
    void hugeArgumentsAreQuotedShortAndControlCharactersEscaped() {
        String huge = "9".repeat(100_000);
        String message = assertThrows(UsageException.class, () -> Args.wholeNumber("--amount", huge, 1, 10))
                .getMessage();
        assertTrue(message.length() < 200, message);
        assertEquals("'a\\u001bb\\u0000'", Args.quoted("a\u001bb\u0000"));
    }

    @Test
    void randomTokensEitherParseOrFailWithAUsageError() {
        long seed = Seeds.seed("ArgsTest");
        Random random = new Random(seed);
        List<String> pieces = List.of(
                "--asset",
                "--amount",
                "--reference",
                "--json",
                "--help",
                "--",
                "-",
                "-h",
                "-x",
                "=",
                "--amount=",
                "--asset=X",
                "alice",
                "",
                "1",
                "-1",
                "--json=",
                "é",
                "\u0000",
                "--unknown");
        for (int run = 0; run < 2_000; run++) {
            int length = random.nextInt(8);
            String[] tokens = new String[length];
            for (int i = 0; i < length; i++) {
                tokens[i] = pieces.get(random.nextInt(pieces.size()));
            }
            try {
                parse(tokens);
            } catch (UsageException expected) {
                assertFalse(expected.getMessage().isBlank(), () -> "seed " + seed + ": " + List.of(tokens));
            }
        }
    }

    @Test
    void distanceIsLevenshteinBoundedByTheLimit() {
        assertEquals(1, Args.distance("--assett", "--asset", 3));
        assertEquals(2, Args.distance("kitten", "sittin", 3));
        assertEquals(3, Args.distance("abc", "xyzabcdef", 3));
    }
}
