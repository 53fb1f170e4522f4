package dev.walletledger.cli;

import java.util.List;

/** One subcommand: its synopsis (for parsing and help) and what it does. */
interface Command {
    Synopsis synopsis();

    /** Runs with parsed, arity-checked arguments; failures are thrown ({@code UsageException}, {@code WalletException}). */
    ExitCode run(Invocation call);

    /**
     * How a command is called. {@code positionals} names its positional arguments in order (for messages),
     * the first {@code positionalsRequired} of them required.
     */
    record Synopsis(
            String name,
            String summary,
            String usage,
            String description,
            List<String> positionals,
            int positionalsRequired,
            List<Args.Option> options) {
        public Synopsis {
            positionals = List.copyOf(positionals);
            options = List.copyOf(options);
            if (positionalsRequired < 0 || positionalsRequired > positionals.size()) {
                throw new IllegalArgumentException("positionalsRequired " + positionalsRequired);
            }
        }
    }
}
