package dev.walletledger.cli;

/**
 * The failures the command line decides itself, beyond the ledger's {@code ErrorCode}s and the backups'
 * {@code BackupError}s: stable, append-only, each with the one exit code it gives. The exit-code table of
 * {@code wallet --help} and of the README lists them ({@code CliDocsTest}).
 */
enum FailureCode {
    /** No ledger where the command looked: no data directory, or a schema without the ledger's tables. */
    LEDGER_NOT_FOUND(ExitCode.NOT_FOUND);

    final ExitCode exitCode;

    FailureCode(ExitCode exitCode) {
        this.exitCode = exitCode;
    }
}
