package dev.walletledger.runtime.backup;

import java.util.Map;
import java.util.Objects;

/** The one exception backups and restores throw: a stable {@link BackupError}, a message, and details. */
public final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final BackupError code;
    private final transient Map<String, Object> details;

    BackupException(BackupError code, String message, Map<String, ?> details) {
        this(code, message, details, null);
    }

    BackupException(BackupError code, String message, Map<String, ?> details, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(details);
    }

    public BackupError code() {
        return code;
    }

    /** Machine-readable details: paths, times, the file that did not match. */
    public Map<String, Object> details() {
        return details;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
