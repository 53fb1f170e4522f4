package dev.walletledger.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hand-written argument parser: pure functions from tokens to {@link Parsed}, or a
 * {@link UsageException} naming the offending argument.
 *
 * <ul>
 *   <li>{@code --name value} and {@code --name=value}; a switch ({@code --json}) takes no value;</li>
 *   <li>{@code --} ends the options: every later token is positional, even {@code --json} or {@code -5};</li>
 *   <li>a lone {@code -} is positional; {@code -h} means {@code --help}; other single-dash words are refused;</li>
 *   <li>an option given twice, an empty value, or a value that is itself a known option is refused
 *       ({@code --reference --json} is almost certainly a forgotten value; {@code --reference=--json} says it
 *       on purpose).</li>
 * </ul>
 */
final class Args {
    private Args() {}

    /** One option: {@code name} with its dashes; {@code valueName} is null for a switch. */
    record Option(String name, String valueName, String help) {
        Option {
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("option names start with --: " + name);
            }
        }

        static Option value(String name, String valueName, String help) {
            return new Option(name, valueName, help);
        }

        static Option flag(String name, String help) {
            return new Option(name, null, help);
        }

        boolean takesValue() {
            return valueName != null;
        }
    }

    /** What was given: positionals in order, option values by name, switches by name. */
    record Parsed(List<String> positionals, Map<String, String> values, Set<String> switches) {
        Parsed {
            positionals = List.copyOf(positionals);
            values = Map.copyOf(values);
            switches = Set.copyOf(switches);
        }

        Optional<String> value(String name) {
            return Optional.ofNullable(values.get(name));
        }

        boolean has(String name) {
            return switches.contains(name);
        }

        /** This and {@code other} together; an option in both is refused as given twice. */
        Parsed merge(Parsed other) {
            Map<String, String> mergedValues = new LinkedHashMap<>(values);
            for (Map.Entry<String, String> entry : other.values.entrySet()) {
                if (mergedValues.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
                    throw new UsageException(entry.getKey() + " is given twice");
                }
            }
            Set<String> mergedSwitches = new LinkedHashSet<>(switches);
            mergedSwitches.addAll(other.switches); // a repeated switch means the same thing; harmless
            List<String> mergedPositionals = new ArrayList<>(positionals);
            mergedPositionals.addAll(other.positionals);
            return new Parsed(mergedPositionals, mergedValues, mergedSwitches);
        }
    }

    /** Parses all of {@code tokens} against {@code options}. */
    static Parsed parse(List<Option> options, List<String> tokens) {
        return parse(options, tokens, false).parsed();
    }

    /** The options before the first positional (the command word) and the tokens from there on. */
    record Leading(Parsed parsed, List<String> rest) {}

    /**
     * Parses options until the first positional token when {@code stopAtPositional}, leaving it and all
     * after it in {@link Leading#rest()}; else parses every token.
     */
    static Leading parse(List<Option> options, List<String> tokens, boolean stopAtPositional) {
        Map<String, Option> byName = new LinkedHashMap<>();
        options.forEach(option -> byName.put(option.name(), option));
        List<String> positionals = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> switches = new LinkedHashSet<>();
        boolean optionsEnded = false;
        for (int i = 0; i < tokens.size(); i++) { // bounded: i only grows, by 1 or 2 per step
            String token = tokens.get(i);
            if (optionsEnded || !isOptionLike(token)) {
                if (stopAtPositional) {
                    return new Leading(new Parsed(positionals, values, switches), tokens.subList(i, tokens.size()));
                }
                positionals.add(token);
                continue;
            }
            if (token.equals("--")) {
                optionsEnded = true;
                continue;
            }
            int equals = token.indexOf('=');
            String name = equals < 0 ? token : token.substring(0, equals);
            name = name.equals("-h") ? "--help" : name;
            Option option = byName.get(name);
            if (option == null) {
                throw new UsageException("unknown option " + quoted(name) + suggestion(name, byName.keySet()));
            }
            if (!option.takesValue()) {
                if (equals >= 0) {
                    throw new UsageException(name + " takes no value, got " + quoted(token));
                }
                switches.add(name);
                continue;
            }
            String value;
            if (equals >= 0) {
                value = token.substring(equals + 1);
            } else if (i + 1 < tokens.size()
                    && !tokens.get(i + 1).equals("--")
                    && !byName.containsKey(optionName(tokens.get(i + 1)))) {
                value = tokens.get(++i);
            } else {
                throw new UsageException(name + " needs a value (" + option.valueName() + ")");
            }
            if (value.isEmpty()) {
                throw new UsageException(name + " needs a value (" + option.valueName() + "), got an empty one");
            }
            if (values.putIfAbsent(name, value) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        return new Leading(new Parsed(positionals, values, switches), List.of());
    }

    /**
     * A whole number from {@code min} to {@code max} in plain ASCII digits: refuses signs, decimals, exponents,
     * white space and overflow, naming the option.
     */
    static long wholeNumber(String option, String text, long min, long max) {
        boolean digits =
                !text.isEmpty() && text.length() <= 1_000 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        BigInteger value = digits ? new BigInteger(text) : BigInteger.valueOf(-1);
        if (!digits || value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new UsageException(
                    option + " must be a whole number from " + min + " to " + max + ", got " + quoted(text));
        }
        return value.longValueExact();
    }

    /** {@code --x}, {@code --x=v}, {@code -x}; but not {@code -} nor {@code -5} (a negative number is a value). */
    static boolean isOptionLike(String token) {
        if (token.startsWith("--")) {
            return true;
        }
        return token.length() > 1 && token.charAt(0) == '-' && !Character.isDigit(token.charAt(1));
    }

    private static String optionName(String token) {
        int equals = token.indexOf('=');
        String name = equals < 0 ? token : token.substring(0, equals);
        return name.equals("-h") ? "--help" : name;
    }

    /** A printable rendering of an argument: quoted, with control characters escaped, at most 60 characters. */
    static String quoted(String argument) {
        StringBuilder text = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < argument.length() && shown < 60; i++, shown++) {
            char c = argument.charAt(i);
            if (Character.isISOControl(c)) {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        if (shown < argument.length()) {
            text.append("...");
        }
        return text.append('\'').toString();
    }

    /** "; did you mean --asset?" when one known option is within two edits of the unknown one. */
    static String suggestion(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = distance(unknown, candidate, bestDistance);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    /** Levenshtein distance, or {@code limit} when it is at least that (so long inputs cost little). */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit || a.length() > 64 || b.length() > 64) {
            return limit;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return Math.min(previous[b.length()], limit);
    }
}
