package dev.walletledger.cli;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code wallet restore --from DIR}: a backup into a new data directory, recovered to a moment, audited. */
final class RestoreCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "restore",
            "restore a backup into a new data directory, to a moment, and audit it",
            "wallet restore --from DIR [--wal-archive DIR] [--to-time T | --to-anchor ANCHOR] [--anchor ANCHOR]"
                    + " [--pg-bin DIR [--os-user USER]] [--json]  |  wallet restore --logical --from FILE",
            """
            Copies the physical backup DIR (from 'wallet backup') into the data directory --data-dir, which
            must not exist or be empty: nothing is ever overwritten. PostgreSQL then replays the WAL the
            backup holds and, with --wal-archive, the archived WAL after it, up to the target:
              --to-time T          the last transaction committed at or before T (ISO-8601, with offset:
                                   2026-11-30T12:00:00Z);
              --to-anchor ANCHOR   the moment 'wallet anchor' printed ANCHOR (it marks a restore point);
              neither              all the WAL there is.
            Then the full audit runs, and with --to-anchor or --anchor it proves that history up to that
            anchor is the one restored. Exit 0 only when the restored ledger is consistent.

            The restored directory is a new WALLET_DATA_DIR for the server. With --pg-bin (a PostgreSQL
            installation's bin directory, of the backup's major version) it is a PGDATA for that
            installation instead; --os-user runs its programs as that user (PostgreSQL refuses root).

            --logical loads a dump from 'wallet backup --logical' into the ledger given by --database-url
            or --data-dir: migrated now if new, and empty. The audit then proves it against the dump's
            anchor.""",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--from", "DIR|FILE", "the backup directory, or the dump file with --logical"),
                    Args.Option.flag("--logical", "load a dump from 'wallet backup --logical'"),
                    Args.Option.value("--wal-archive", "DIR", "the WAL archive (WALLET_WAL_ARCHIVE_DIR)"),
                    Args.Option.value("--to-time", "T", "recover up to this moment (ISO-8601 with offset)"),
                    Args.Option.value("--to-anchor", "ANCHOR", "recover up to the moment this anchor was taken"),
                    Args.Option.value("--anchor", "ANCHOR", "also prove the restored history up to this anchor"),
                    Args.Option.value("--pg-bin", "DIR", "run this PostgreSQL installation, not the embedded one"),
                    Args.Option.value("--os-user", "USER", "with --pg-bin: run PostgreSQL's programs as USER")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        Path from = Path.of(call.required("--from"));
        if (call.args.has("--logical")) {
            return logical(call, from);
        }
        Optional<Instant> time = call.args.value("--to-time").map(RestoreCommand::instant);
        Optional<Anchor> toAnchor = call.args.value("--to-anchor").map(Anchor::parse);
        Optional<Anchor> anchor = toAnchor.or(() -> call.args.value("--anchor").map(Anchor::parse));
        if (time.isPresent() && toAnchor.isPresent()) {
            throw new UsageException("give --to-time or --to-anchor, not both");
        }
        if (call.args.value("--os-user").isPresent()
                && call.args.value("--pg-bin").isEmpty()) {
            throw new UsageException("--os-user goes with --pg-bin");
        }
        Path into = call.args
                .value("--data-dir")
                .map(Path::of)
                .orElse(dev.walletledger.runtime.EmbeddedDatabase.DEFAULT_DIRECTORY);
        requireNew(into);
        Path archive = call.args.value("--wal-archive").map(Path::of).orElse(null);
        if (archive != null && !Files.isDirectory(archive)) {
            throw new CommandFailure(FailureCode.ARCHIVE_NOT_FOUND, "no WAL archive at " + archive, Map.of());
        }
        PhysicalRestore.Target target = new PhysicalRestore.Target(
                time, toAnchor.map(a -> PhysicalRestore.restoreName(a).toString()));
        PhysicalRestore.Restored restored;
        try {
            Manifest manifest = Manifest.read(from);
            checkFiles(from, manifest);
            refuseTargetsBefore(manifest, time, toAnchor);
            restored = PhysicalRestore.run(
                    from,
                    into,
                    archive,
                    target,
                    anchor,
                    call.args.value("--schema").orElse(manifest.text("schema")),
                    new PhysicalRestore.Runner(call.args.value("--pg-bin").map(Path::of), call.args.value("--os-user")),
                    call.err);
        } catch (IOException e) {
            throw new CommandFailure(FailureCode.RESTORE_FAILED, "the restore failed: " + e, Map.of());
        } catch (SQLException e) {
            throw new CommandFailure(
                    FailureCode.RESTORE_FAILED, "the restored ledger could not be read: " + e.getMessage(), Map.of());
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data_directory", into.toString());
        facts.put("target", target.describe());
        facts.put("copy_millis", restored.copyMillis());
        facts.put("recovery_millis", restored.recoveryMillis());
        return report(call, restored.report(), facts, anchor);
    }

    /**
     * Recovery replays forward from a backup's end, never back from it: a time before the end, or an anchor older
     * than the one the backup recorded when it began, would silently give the backup's later state.
     */
    private static void refuseTargetsBefore(Manifest manifest, Optional<Instant> time, Optional<Anchor> toAnchor) {
        Optional<String> recordedEnd = manifest.optionalText("stopped_at"); // backups before 0.3.0: created_at
        Instant end = Instant.parse(recordedEnd.orElseGet(() -> manifest.text("created_at")));
        String range = manifest.optionalText("started_at")
                        .map(start -> "from " + start + " to ")
                        .orElse("until ")
                + end;
        if (time.isPresent() && time.get().isBefore(end)) {
            throw new CommandFailure(
                    FailureCode.TARGET_BEFORE_BACKUP,
                    "--to-time " + time.get() + " is before this backup's end: it was taken " + range
                            + ", and recovery cannot stop before that. Give a time at or after " + end
                            + ", or restore an older backup",
                    Map.of("to_time", time.get().toString(), "backup_end", end.toString()));
        }
        Anchor recorded = Anchor.parse(manifest.text("anchor"));
        if (toAnchor.isPresent() && toAnchor.get().entryId() < recorded.entryId()) {
            throw new CommandFailure(
                    FailureCode.TARGET_BEFORE_BACKUP,
                    "--to-anchor names entry " + toAnchor.get().entryId() + ", older than this backup, which began at"
                            + " entry " + recorded.entryId() + " (taken " + range + "): restore an older backup",
                    Map.of(
                            "anchor_entry", toAnchor.get().entryId(),
                            "backup_anchor_entry", recorded.entryId(),
                            "backup_end", end.toString()));
        }
    }

    private static ExitCode logical(Invocation call, Path from) {
        LogicalDump.Header header;
        Map<String, Long> rows;
        long started = System.nanoTime();
        try {
            header = LogicalDump.header(from);
            call.database().migrate();
            rows = LogicalDump.load(
                    call.database().dataSource(), call.ledger().config().schema(), from);
        } catch (IOException e) {
            throw new CommandFailure(FailureCode.DUMP_NOT_READABLE, "the dump cannot be read: " + e, Map.of());
        } catch (SQLException e) {
            throw new CommandFailure(
                    FailureCode.RESTORE_FAILED,
                    "the dump could not be loaded (nothing was): " + e.getMessage(),
                    Map.of());
        }
        long loaded = System.nanoTime();
        AuditReport report = call.ledger().verify(header.anchor(), AuditProgress.NONE);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("loaded_rows", new LinkedHashMap<>(rows));
        facts.put("load_millis", (loaded - started) / 1_000_000);
        return report(call, report, facts, Optional.of(header.anchor()));
    }

    /** The facts in their order, then the audit: consistent or not, and what it says of the anchor. */
    private static ExitCode report(
            Invocation call, AuditReport report, Map<String, Object> facts, Optional<Anchor> anchor) {
        Map<String, Object> document = new LinkedHashMap<>(facts);
        anchor.ifPresent(a -> document.put("anchor", VerifyCommand.anchorJson(a, report)));
        document.put("consistent", report.consistent());
        document.put("transactions", report.transactions());
        document.put("entries", report.entries());
        document.put("violation_count", report.violationCount());
        document.put("audit_millis", report.elapsed().toMillis());
        if (call.json()) {
            call.printJson(document);
        } else {
            facts.forEach((key, value) -> call.out.println(key.replace('_', ' ') + ": " + text(value)));
            report.violations()
                    .forEach(v -> call.out.println("violation " + v.check() + " " + v.subject() + ": " + v.detail()));
            anchor.ifPresent(a -> call.out.println(VerifyCommand.anchorLine(a, report)));
            call.out.println((report.consistent() ? "consistent: " : "INCONSISTENT: ") + report.transactions()
                    + " transactions, " + report.entries() + " entries checked in "
                    + String.format(Locale.ROOT, "%.3f s", report.elapsed().toNanos() / 1e9));
        }
        return report.consistent() ? ExitCode.OK : ExitCode.DATA;
    }

    /** A fact for people: a map as "name value, name value", in its order. */
    private static String text(Object value) {
        if (value instanceof Map<?, ?> map) {
            List<String> parts = new java.util.ArrayList<>();
            map.forEach((k, v) -> parts.add(k + " " + v));
            return String.join(", ", parts);
        }
        return String.valueOf(value);
    }

    /** Every file the backup lists, with its checksum: a damaged backup is refused before anything starts. */
    private static void checkFiles(Path backup, Manifest manifest) throws IOException {
        Path sums = backup.resolve(PhysicalBackup.SUMS);
        if (!Files.isRegularFile(sums) || !PhysicalBackup.sha256(sums).equals(manifest.text("sha256sums_sha256"))) {
            throw new CommandFailure(
                    FailureCode.BACKUP_DAMAGED,
                    "the backup's " + PhysicalBackup.SUMS + " is missing or is not the one its manifest names",
                    Map.of("file", PhysicalBackup.SUMS));
        }
        for (String line : Files.readAllLines(sums)) {
            String hash = line.substring(0, 64);
            String path = line.substring(66);
            Path file = backup.resolve(path);
            if (!Files.isRegularFile(file) || !PhysicalBackup.sha256(file).equals(hash)) {
                throw new CommandFailure(
                        FailureCode.BACKUP_DAMAGED,
                        "the backup's " + path + " is missing or does not match its checksum: the backup is damaged",
                        Map.of("file", path));
            }
        }
    }

    private static void requireNew(Path into) {
        if (!BackupCommand.absentOrEmpty(into)) {
            throw new CommandFailure(
                    FailureCode.TARGET_EXISTS,
                    into + " exists and is not empty: a restore never overwrites a data directory; give a new"
                            + " --data-dir",
                    Map.of("data_directory", into.toString()));
        }
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException(
                    "--to-time must be ISO-8601 with an offset, such as 2026-11-30T12:00:00Z, got " + text);
        }
    }
}
