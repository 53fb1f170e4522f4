package dev.walletledger.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A backup's {@code wallet-backup.json}, read back: the few top-level fields a restore needs. */
record Manifest(String json) {
    static Manifest read(Path backup) throws IOException {
        try {
            return new Manifest(Files.readString(backup.resolve(PhysicalBackup.MANIFEST), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new CommandFailure(
                    FailureCode.BACKUP_NOT_FOUND,
                    backup + " holds no " + PhysicalBackup.MANIFEST + ": not a directory 'wallet backup' wrote",
                    Map.of("from", backup.toString()));
        }
    }

    /** A top-level string field, or empty when the manifest has none (one written by an earlier version). */
    java.util.Optional<String> optionalText(String field) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(field) + "\":\"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(json);
        return matcher.find()
                ? java.util.Optional.of(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"))
                : java.util.Optional.empty();
    }

    /** A top-level string field (the CLI writes them without escapes that matter here). */
    String text(String field) {
        return optionalText(field)
                .orElseThrow(() -> new CommandFailure(
                        FailureCode.BACKUP_DAMAGED, "the backup's manifest has no " + field, Map.of("field", field)));
    }
}
