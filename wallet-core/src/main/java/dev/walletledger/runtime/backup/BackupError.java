package dev.walletledger.runtime.backup;

/**
 * Why a backup, restore, dump or load did not happen: stable, append-only, as the ledger's error codes are.
 * Each belongs to one {@link Kind}, which a caller maps once (the CLI to an exit code).
 */
public enum BackupError {
    /** The directory given holds no backup this library wrote (no manifest). */
    BACKUP_NOT_FOUND(Kind.NOT_FOUND),
    /** The WAL archive directory given does not exist. */
    ARCHIVE_NOT_FOUND(Kind.NOT_FOUND),
    /** A backup's checksums or manifest do not match its files: nothing is restored from it. */
    BACKUP_DAMAGED(Kind.DATA),
    /** A file that is not a logical dump this library wrote. */
    DUMP_NOT_READABLE(Kind.DATA),
    /** A logical dump of another schema version than the ledger it would load into. */
    DUMP_VERSION_MISMATCH(Kind.DATA),
    /** A logical dump loads into an empty ledger only. */
    LEDGER_NOT_EMPTY(Kind.DATA),
    /** A backup or restore never writes into something that exists (a directory that is not empty). */
    TARGET_EXISTS(Kind.DATA),
    /** A restore target before the backup's end: recovery goes forward from a backup, never back. */
    TARGET_BEFORE_BACKUP(Kind.DATA),
    /** Recovery stopped before its target: past the archive's end, or a restore point the WAL does not hold. */
    RECOVERY_FAILED(Kind.DATA),
    /** The restored or loaded database could not be started, read or written. */
    RESTORE_FAILED(Kind.UNAVAILABLE),
    /** The backup could not be taken or written. */
    BACKUP_FAILED(Kind.UNAVAILABLE),
    /** A backup of a server by URL needs that server's pg_basebackup. */
    PG_BASEBACKUP_MISSING(Kind.UNAVAILABLE);

    /** What kind of failure a code is. */
    public enum Kind {
        /** Something named does not exist. */
        NOT_FOUND,
        /** What was given cannot be used as it is. */
        DATA,
        /** The database or a program could not do its part; the same call may work later. */
        UNAVAILABLE
    }

    private final Kind kind;

    BackupError(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
