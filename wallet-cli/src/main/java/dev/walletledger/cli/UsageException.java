package dev.walletledger.cli;

/**
 * The command line itself is wrong: an unknown option, a missing value, a number that is not one.
 * The message names the offending argument; the CLI prints it with the command's usage line and exits 64.
 */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
