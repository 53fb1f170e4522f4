package dev.walletledger.cli;

import dev.walletledger.core.ErrorCode;

/** The process exit codes, from BSD sysexits.h; every {@link ErrorCode.Kind} maps to one, here only. */
enum ExitCode {
    /** Done; for verify and stats: and the ledger is consistent. */
    OK(0, "done; for verify and stats: the ledger is consistent"),
    /** The command line is wrong (EX_USAGE). */
    USAGE(64, "usage: an unknown command or option, a missing or bad value"),
    /** The request breaks a rule or collides with the ledger's data, or verify found violations (EX_DATAERR). */
    DATA(
            65,
            "data: VALIDATION_FAILED, INSUFFICIENT_FUNDS, BALANCE_OVERFLOW, IDEMPOTENCY_CONFLICT,\n"
                    + "      ASSET_EXISTS; or verify/stats found the ledger inconsistent"),
    /** An asset, wallet or transaction does not exist (EX_NOINPUT). */
    NOT_FOUND(66, "not found: ASSET_NOT_FOUND, WALLET_NOT_FOUND, TRANSACTION_NOT_FOUND, LEDGER_NOT_FOUND"),
    /** The database cannot be reached; the same command may be run again (EX_UNAVAILABLE). */
    UNAVAILABLE(69, "unavailable: STORAGE_UNAVAILABLE, the database cannot be reached; run it again"),
    /** A bug (EX_SOFTWARE). */
    INTERNAL(70, "internal: INTERNAL_ERROR, a bug; please report it"),
    /** Too much contention, retries ran out; the same command may be run again (EX_TEMPFAIL). */
    BUSY(75, "busy: BUSY, contention outlasted the retries; run it again (same reference: safe)");

    final int code;
    /** For {@code wallet --help}: what it means and which codes lead to it. */
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    static ExitCode of(ErrorCode.Kind kind) {
        return switch (kind) {
            case INVALID, REFUSED, CONFLICT -> DATA;
            case NOT_FOUND -> NOT_FOUND;
            case UNAVAILABLE -> UNAVAILABLE;
            case BUSY -> BUSY;
            case INTERNAL -> INTERNAL;
        };
    }
}
