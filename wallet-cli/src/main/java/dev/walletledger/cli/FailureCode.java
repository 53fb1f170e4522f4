package dev.walletledger.cli;

/**
 * The failures the command line decides itself, beyond the ledger's {@code ErrorCode}s: stable, append-only,
 * each with the one exit code it gives. The exit-code table of {@code wallet --help} and of the README lists
 * them ({@code ExitCodeTableTest}).
 */
enum FailureCode {
    /** No ledger where the command looked: no data directory, or a schema without the ledger's tables. */
    LEDGER_NOT_FOUND(ExitCode.NOT_FOUND),
    /** {@code --from} holds no backup {@code wallet backup} wrote. */
    BACKUP_NOT_FOUND(ExitCode.NOT_FOUND),
    /** {@code --wal-archive} does not exist. */
    ARCHIVE_NOT_FOUND(ExitCode.NOT_FOUND),
    /** A backup's checksums or manifest do not match its files. */
    BACKUP_DAMAGED(ExitCode.DATA),
    /** A logical dump that cannot be read as one. */
    DUMP_NOT_READABLE(ExitCode.DATA),
    /** A logical dump made by another version of the schema. */
    DUMP_VERSION_MISMATCH(ExitCode.DATA),
    /** A logical dump is loaded only into an empty ledger. */
    LEDGER_NOT_EMPTY(ExitCode.DATA),
    /** A backup or restore never writes into a directory that exists and is not empty. */
    TARGET_EXISTS(ExitCode.DATA),
    /** A restore target before the backup's end: recovery cannot go back past it; an older backup can. */
    TARGET_BEFORE_BACKUP(ExitCode.DATA),
    /** Recovery stopped before its target (past the archive's end, or a restore point the WAL does not hold). */
    RECOVERY_FAILED(ExitCode.DATA),
    /** The restored database could not be started or read. */
    RESTORE_FAILED(ExitCode.UNAVAILABLE),
    /** The backup could not be taken or written. */
    BACKUP_FAILED(ExitCode.UNAVAILABLE),
    /** A backup of a server by URL needs its pg_basebackup (--pg-bin or the PATH). */
    PG_BASEBACKUP_MISSING(ExitCode.UNAVAILABLE);

    final ExitCode exitCode;

    FailureCode(ExitCode exitCode) {
        this.exitCode = exitCode;
    }
}
