package dev.walletledger.cli;

import dev.walletledger.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The process exit codes, from BSD sysexits.h; every {@link ErrorCode.Kind}, every backup error's kind and
 * every {@link FailureCode} maps to one, here and in {@link FailureCode} only.
 *
 * <p>The rule between 64 and 65: a value the ledger refuses as malformed ({@code VALIDATION_FAILED}) is a
 * wrong command line, 64, like a value the command line itself cannot read; 65 is a well-formed request that
 * the ledger's data refuses (funds, conflicts), or an inconsistent ledger.
 */
enum ExitCode {
    /** Done; for verify and stats: and the ledger is consistent. */
    OK(0, "done; for verify and stats: the ledger is consistent"),
    /** The command line is wrong (EX_USAGE). */
    USAGE(64, "usage: an unknown command or option, a missing value, or a value that is refused as malformed"),
    /** A well-formed request the ledger's data refuses, or verify found violations (EX_DATAERR). */
    DATA(
            65,
            "data: a well-formed request that the ledger refuses or that conflicts; or verify/stats found the"
                    + " ledger inconsistent"),
    /** An asset, wallet, transaction, ledger or backup does not exist (EX_NOINPUT). */
    NOT_FOUND(66, "not found"),
    /** The database cannot be reached; the same command may be run again (EX_UNAVAILABLE). */
    UNAVAILABLE(69, "unavailable: the database cannot be reached, or a backup or restore could not run; run it again"),
    /** A bug (EX_SOFTWARE). */
    INTERNAL(70, "internal: a bug; please report it"),
    /** Too much contention, retries ran out; the same command may be run again (EX_TEMPFAIL). */
    BUSY(75, "busy: contention outlasted the retries; run it again (same reference: safe)");

    final int code;
    /** For {@code wallet --help}: what it means. */
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    static ExitCode of(dev.walletledger.runtime.backup.BackupError.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> NOT_FOUND;
            case DATA -> DATA;
            case UNAVAILABLE -> UNAVAILABLE;
        };
    }

    static ExitCode of(ErrorCode.Kind kind) {
        return switch (kind) {
            case INVALID -> USAGE;
            case REFUSED, CONFLICT -> DATA;
            case NOT_FOUND -> NOT_FOUND;
            case UNAVAILABLE -> UNAVAILABLE;
            case BUSY -> BUSY;
            case INTERNAL -> INTERNAL;
        };
    }

    /** Every code a command can fail with that gives this exit code: the ledger's, then the CLI's own. */
    List<String> codes() {
        List<String> codes = new ArrayList<>();
        if (this == USAGE) {
            codes.add("USAGE");
        }
        for (ErrorCode error : ErrorCode.values()) {
            if (of(error.kind()) == this) {
                codes.add(error.name());
            }
        }
        for (dev.walletledger.runtime.backup.BackupError failure :
                dev.walletledger.runtime.backup.BackupError.values()) {
            if (of(failure.kind()) == this) {
                codes.add(failure.name());
            }
        }
        for (FailureCode failure : FailureCode.values()) {
            if (failure.exitCode == this) {
                codes.add(failure.name());
            }
        }
        return codes;
    }
}
