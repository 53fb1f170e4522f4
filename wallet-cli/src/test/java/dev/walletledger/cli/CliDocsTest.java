package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the CLI's README and help claim, held to the code: the command table and the exit-code table. */
class CliDocsTest {
    private static final Path README = Path.of("README.md");

    @Test
    void theCommandTableListsEveryCommand() throws IOException {
        List<String> cells = new ArrayList<>();
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("| `wallet ")) {
                cells.add(line.substring(2, line.indexOf(" | ")));
            }
        }
        List<String> missing = new ArrayList<>();
        for (Command command : Cli.COMMANDS) {
            Pattern named = Pattern.compile("\\bwallet (\\S*\\\\\\|)?"
                    + Pattern.quote(command.synopsis().name()) + "\\b");
            if (cells.stream().noneMatch(cell -> named.matcher(cell).find())) {
                missing.add(command.synopsis().name());
            }
        }
        assertEquals(List.of(), missing, "commands the README's table does not list");
    }

    /** Each row of the README's exit-code table lists exactly the codes that give that exit code. */
    @Test
    void theExitCodeTableListsEveryCodeACommandCanReturn() throws IOException {
        Map<Integer, Set<String>> documented = new HashMap<>();
        Pattern row = Pattern.compile("^\\| (\\d+) \\| [^|]+ \\|(.*)\\|$");
        Pattern code = Pattern.compile("`([A-Z_]+)`");
        for (String line : Files.readAllLines(README)) {
            Matcher matcher = row.matcher(line);
            if (matcher.matches()) {
                Set<String> codes = new TreeSet<>();
                Matcher codes_ = code.matcher(matcher.group(2));
                while (codes_.find()) {
                    codes.add(codes_.group(1));
                }
                documented.put(Integer.parseInt(matcher.group(1)), codes);
            }
        }
        Map<Integer, Set<String>> actual =
                Arrays.stream(ExitCode.values()).collect(Collectors.toMap(e -> e.code, e -> new TreeSet<>(e.codes())));
        assertEquals(actual, documented);
    }

    @Test
    void helpListsTheSameCodes() {
        try (CliRunner cli = new CliRunner()) {
            String help = cli.run("--help").out();
            for (ExitCode exitCode : ExitCode.values()) {
                for (String code : exitCode.codes()) {
                    assertTrue(help.contains(code), code + " is missing from wallet --help");
                }
            }
        }
    }

    /** Options go before or after the command: that needs each name to take a value everywhere or nowhere. */
    @Test
    void noOptionIsASwitchInOneCommandAndTakesAValueInAnother() {
        Map<String, Boolean> takesValue = new HashMap<>();
        List<String> both = new ArrayList<>();
        for (Command command : Cli.COMMANDS) {
            for (Args.Option option : command.synopsis().options()) {
                Boolean earlier = takesValue.putIfAbsent(option.name(), option.takesValue());
                if (earlier != null && earlier != option.takesValue()) {
                    both.add(option.name());
                }
            }
        }
        for (Args.Option option : Cli.COMMON_OPTIONS) {
            Boolean earlier = takesValue.get(option.name());
            if (earlier != null && earlier != option.takesValue()) {
                both.add(option.name());
            }
        }
        assertEquals(List.of(), both);
    }
}
