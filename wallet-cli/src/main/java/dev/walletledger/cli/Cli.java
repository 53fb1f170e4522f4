package dev.walletledger.cli;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import dev.walletledger.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;

/**
 * The {@code wallet} command line: resolves the command, parses its arguments, runs it, and turns every
 * failure into a message on stderr and an {@link ExitCode}. {@link #run} is the seam tests call in-process.
 */
public final class Cli {
    /** Every command, in the order {@code wallet --help} lists them. */
    static final List<Command> COMMANDS = java.util.stream.Stream.of(
                    List.<Command>of(
                            new MigrateCommand(),
                            new AssetsListCommand(),
                            new AssetsAddCommand(),
                            new BalanceCommand(),
                            new UsersCommand(),
                            new HistoryCommand(),
                            new TxCommand(),
                            new OperationCommand(OperationType.TOPUP),
                            new OperationCommand(OperationType.BONUS),
                            new OperationCommand(OperationType.SPEND)),
                    MovementCommand.all(),
                    HoldsCommand.all(),
                    LotsCommand.all(),
                    WebhooksCommand.all(),
                    ReportCommand.all(),
                    List.<Command>of(new EventsCommand()),
                    ControlsCommand.all(),
                    List.<Command>of(
                            new VerifyCommand(),
                            new AnchorCommand(),
                            new StatsCommand(),
                            new BackupCommand(),
                            new RestoreCommand(),
                            new KeysGenerateCommand()),
                    TokensCommand.all(),
                    List.<Command>of(new BenchCommand()))
            .flatMap(List::stream)
            .toList();

    /** Accepted before or after the command. */
    static final List<Args.Option> COMMON_OPTIONS = List.of(
            Args.Option.value("--database-url", "URL", "jdbc:postgresql://host/db or postgresql://user:pass@host/db"),
            Args.Option.value(
                    "--data-dir",
                    "DIR",
                    "the embedded PostgreSQL's directory, shared with the server (" + EmbeddedDatabase.DEFAULT_DIRECTORY
                            + ")"),
            Args.Option.value(
                    "--schema",
                    "NAME",
                    "the ledger's PostgreSQL schema (" + LedgerConfig.defaults().schema() + ")"),
            Args.Option.flag("--json", "print one JSON document on stdout, for scripts"),
            Args.Option.flag("--help", "show help (also -h)"));

    private static final List<Args.Option> GLOBAL_OPTIONS =
            concat(COMMON_OPTIONS, List.of(Args.Option.flag("--version", "print the version")));

    private static final String USAGE =
            "wallet [--database-url URL | --data-dir DIR] [--schema NAME] [--json] " + "COMMAND [ARGS]";

    private final Database.Connector connector;
    private final Map<String, String> environment;
    private final boolean interactive;
    private final LongSupplier nanoTime;

    /**
     * @param environment  the process environment ({@code DATABASE_URL})
     * @param interactive  whether stderr is a terminal a person watches (progress bars)
     * @param nanoTime     the monotonic clock (progress bars appear after a delay)
     */
    public Cli(
            Database.Connector connector, Map<String, String> environment, boolean interactive, LongSupplier nanoTime) {
        this.connector = connector;
        this.environment = Map.copyOf(environment);
        this.interactive = interactive;
        this.nanoTime = nanoTime;
    }

    /** Runs one command line; returns the process exit code. Never throws for bad input. */
    public int run(String[] argv, PrintStream out, PrintStream err) {
        List<String> tokens = Arrays.asList(argv.clone());
        Command command = null;
        boolean json = tokens.contains("--json");
        try {
            int at = commandIndex(tokens);
            if (at < 0) { // no command word: only options (any command's, which need the command then)
                Args.Parsed parsed = Args.parse(ALL_OPTIONS, tokens);
                json = parsed.has("--json");
                if (parsed.has("--version")) {
                    out.println("wallet " + version());
                    return ExitCode.OK.code;
                }
                if (parsed.has("--help")) {
                    printMainHelp(out);
                    return ExitCode.OK.code;
                }
                throw new UsageException("missing COMMAND");
            }
            List<String> rest = tokens.subList(at, tokens.size());
            if (rest.get(0).equals("help")) {
                Args.parse(GLOBAL_OPTIONS, tokens.subList(0, at));
                return help(rest.subList(1, rest.size()), out);
            }
            command = resolve(rest);
            int words = command.synopsis().name().split(" ").length;
            // Options go before or after the command, its own as well as the common ones.
            Args.Parsed before = Args.parse(concat(optionsOf(command), VERSION), tokens.subList(0, at));
            if (before.has("--version")) {
                out.println("wallet " + version());
                return ExitCode.OK.code;
            }
            Args.Parsed parsed = before.merge(Args.parse(optionsOf(command), rest.subList(words, rest.size())));
            json = parsed.has("--json");
            if (parsed.has("--help")) {
                printHelp(command, out);
                return ExitCode.OK.code;
            }
            checkArity(command.synopsis(), parsed.positionals());
            return execute(command, parsed, out, err).code;
        } catch (UsageException e) {
            err.println("wallet: USAGE: " + e.getMessage());
            err.println(
                    "usage: " + (command == null ? USAGE : command.synopsis().usage()));
            err.println(
                    "Try 'wallet " + (command == null ? "" : command.synopsis().name() + " ") + "--help'.");
            return ExitCode.USAGE.code;
        } catch (WalletException e) {
            return fail(
                    e.code().name(),
                    e.getMessage(),
                    e.details(),
                    e.getCause(),
                    ExitCode.of(e.code().kind()),
                    json,
                    out,
                    err);
        } catch (CommandFailure e) {
            return fail(e.code.name(), e.getMessage(), e.details, null, e.code.exitCode, json, out, err);
        } catch (dev.walletledger.runtime.backup.BackupException e) {
            return fail(
                    e.code().name(),
                    e.getMessage(),
                    e.details(),
                    e.getCause(),
                    ExitCode.of(e.code().kind()),
                    json,
                    out,
                    err);
        } catch (RuntimeException e) {
            // A bug in the CLI or the library: the one case where a stack trace helps.
            err.println(
                    "wallet: " + ErrorCode.INTERNAL_ERROR + ": unexpected " + e + "; this is a bug, please report it");
            e.printStackTrace(err);
            return ExitCode.INTERNAL.code;
        }
    }

    private static final List<Args.Option> VERSION = List.of(Args.Option.flag("--version", "print the version"));

    /**
     * Where the command word is: the first token that is neither an option nor the value of one. An option's
     * value is a separate token only for an option that takes one in some command (no option is a switch in one
     * command and takes a value in another: {@code CliTest} checks it). -1: only options.
     */
    static int commandIndex(List<String> tokens) {
        for (int i = 0; i < tokens.size(); i++) { // bounded: i only grows
            String token = tokens.get(i);
            if (token.equals("--")) {
                return i + 1 < tokens.size() ? i + 1 : -1;
            }
            if (!Args.isOptionLike(token)) {
                return i;
            }
            if (token.indexOf('=') < 0 && VALUE_OPTIONS.contains(token)) {
                i++; // its value
            }
        }
        return -1;
    }

    /** Every option of every command, and the global ones: each name once. */
    private static final List<Args.Option> ALL_OPTIONS = List.copyOf(java.util.stream.Stream.concat(
                    GLOBAL_OPTIONS.stream(), COMMANDS.stream().flatMap(c -> c.synopsis().options().stream()))
            .collect(java.util.stream.Collectors.toMap(
                    Args.Option::name, o -> o, (first, second) -> first, java.util.LinkedHashMap::new))
            .values());

    /** Every option name that takes a value, in any command. */
    static final java.util.Set<String> VALUE_OPTIONS = java.util.stream.Stream.concat(
                    COMMON_OPTIONS.stream(), COMMANDS.stream().flatMap(c -> c.synopsis().options().stream()))
            .filter(Args.Option::takesValue)
            .map(Args.Option::name)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private static List<Args.Option> optionsOf(Command command) {
        return concat(command.synopsis().options(), COMMON_OPTIONS);
    }

    private ExitCode execute(Command command, Args.Parsed parsed, PrintStream out, PrintStream err) {
        Optional<String> flag = parsed.value("--database-url");
        Database.Target target = new Database.Target(
                flag.or(() ->
                        Optional.ofNullable(environment.get("DATABASE_URL")).filter(url -> !url.isBlank())),
                flag.isPresent() ? "--database-url" : "DATABASE_URL",
                parsed.value("--data-dir").map(Path::of).orElse(EmbeddedDatabase.DEFAULT_DIRECTORY),
                parsed.value("--schema").orElse(LedgerConfig.defaults().schema()),
                command instanceof MigrateCommand || command instanceof RestoreCommand);
        try (Invocation call =
                new Invocation(parsed, out, err, interactive, nanoTime, () -> connector.connect(target))) {
            return command.run(call);
        }
    }

    /** The command named by the first one or two words. */
    private static Command resolve(List<String> rest) {
        String first = rest.get(0);
        String two = rest.size() > 1 ? first + " " + rest.get(1) : null;
        for (Command command : COMMANDS) {
            String name = command.synopsis().name();
            // A two-word name matches two words only: 'assets add' quoted as one argument is no command.
            if (name.equals(two) || (name.indexOf(' ') < 0 && name.equals(first))) {
                return command;
            }
        }
        List<String> subcommands = COMMANDS.stream()
                .map(command -> command.synopsis().name())
                .filter(name -> name.startsWith(first + " "))
                .map(name -> name.substring(first.length() + 1))
                .toList();
        if (!subcommands.isEmpty()) {
            throw new UsageException("wallet " + first + " needs a subcommand: " + String.join(" or ", subcommands)
                    + (two == null ? "" : ", got " + Args.quoted(rest.get(1))));
        }
        List<String> names =
                COMMANDS.stream().map(command -> command.synopsis().name()).toList();
        throw new UsageException("unknown command " + Args.quoted(first) + Args.suggestion(first, names));
    }

    private static void checkArity(Command.Synopsis synopsis, List<String> positionals) {
        if (positionals.size() < synopsis.positionalsRequired()) {
            throw new UsageException("missing " + synopsis.positionals().get(positionals.size()));
        }
        if (positionals.size() > synopsis.positionals().size()) {
            String unexpected = positionals.get(synopsis.positionals().size());
            boolean dash = unexpected.startsWith("\u2013") || unexpected.startsWith("\u2014"); // pasted from a document
            throw new UsageException("unexpected argument " + Args.quoted(unexpected)
                    + (dash ? " (options start with two hyphens, --, not a dash)" : ""));
        }
    }

    private static int fail(
            String code,
            String message,
            Map<String, Object> details,
            Throwable cause,
            ExitCode exitCode,
            boolean json,
            PrintStream out,
            PrintStream err) {
        err.println("wallet: " + code + ": " + message);
        if (exitCode == ExitCode.INTERNAL) {
            // A bug: what failed underneath is what a report needs; depth-bounded, no stack trace.
            for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
                err.println("wallet:   caused by: " + cause);
            }
        }
        if (json) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", code);
            error.put("message", message);
            error.put("details", new LinkedHashMap<>(details));
            out.println(Json.write(Map.of("error", error)));
        }
        return exitCode.code;
    }

    /** {@code wallet help [COMMAND]}. */
    private static int help(List<String> topic, PrintStream out) {
        if (topic.isEmpty()) {
            printMainHelp(out);
        } else {
            Command command = resolve(topic);
            if (topic.size() > command.synopsis().name().split(" ").length) {
                throw new UsageException("unexpected argument " + Args.quoted(topic.get(topic.size() - 1)));
            }
            printHelp(command, out);
        }
        return ExitCode.OK.code;
    }

    static void printMainHelp(PrintStream out) {
        out.println("usage: " + USAGE);
        out.println();
        out.println("The operator's tool for the wallet ledger, on the same Ledger API as the server.");
        out.println("'wallet COMMAND --help' (or 'wallet help COMMAND') tells more about one command.");
        out.println();
        out.println("commands:");
        Table commands = Table.of("", Table.Align.LEFT, "", Table.Align.LEFT);
        COMMANDS.forEach(command -> commands.row(
                "  " + command.synopsis().name(), command.synopsis().summary()));
        commands.printRows(out);
        out.println();
        out.println("options, before or after the command:");
        printOptions(GLOBAL_OPTIONS, out);
        out.println();
        out.println("database: --database-url, else DATABASE_URL, else the embedded PostgreSQL in --data-dir");
        out.println("  (attached to while the server runs it, else started for the command and stopped after it).");
        out.println();
        out.println("exit codes:");
        for (ExitCode exitCode : ExitCode.values()) {
            out.println(String.format("  %2d  %s", exitCode.code, exitCode.meaning));
            if (!exitCode.codes().isEmpty()) {
                out.println("      " + String.join(", ", exitCode.codes()));
            }
        }
        out.println();
        out.println("errors: on stderr as 'wallet: CODE: message'; with --json, stdout also gets {\"error\": {...}}.");
        out.println("environment: DATABASE_URL; WALLET_LOG_LEVEL=DEBUG shows the libraries' logs on stderr.");
    }

    static void printHelp(Command command, PrintStream out) {
        Command.Synopsis synopsis = command.synopsis();
        out.println("usage: " + synopsis.usage());
        out.println();
        out.println(synopsis.description().strip());
        if (!synopsis.options().isEmpty()) {
            out.println();
            out.println("options:");
            printOptions(synopsis.options(), out);
        }
        out.println();
        out.println("common options:");
        printOptions(COMMON_OPTIONS, out);
        out.println();
        out.println("exit codes: 0 done, 64 usage, 65 data, 66 not found, 69 unavailable, 70 internal, 75 busy"
                + " (see wallet --help)");
    }

    private static void printOptions(List<Args.Option> options, PrintStream out) {
        Table table = Table.of("", Table.Align.LEFT, "", Table.Align.LEFT);
        for (Args.Option option : options) {
            table.row("  " + option.name() + (option.takesValue() ? " " + option.valueName() : ""), option.help());
        }
        table.printRows(out);
    }

    static String version() {
        try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
