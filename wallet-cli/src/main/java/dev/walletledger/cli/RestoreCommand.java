package dev.walletledger.cli;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditReport;
import dev.walletledger.runtime.backup.Backups;
import java.nio.file.Path;
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
            Backups.Loaded loaded =
                    Backups.load(call.database().dataSource(), call.ledger().config(), from);
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("loaded_rows", new LinkedHashMap<>(loaded.rows()));
            facts.put("load_millis", loaded.loadMillis());
            return report(call, loaded.report(), facts, Optional.of(loaded.anchor()));
        }
        if (call.args.value("--os-user").isPresent()
                && call.args.value("--pg-bin").isEmpty()) {
            throw new UsageException("--os-user goes with --pg-bin");
        }
        Optional<Instant> time = call.args.value("--to-time").map(RestoreCommand::instant);
        Optional<Anchor> toAnchor = call.args.value("--to-anchor").map(Anchor::parse);
        if (time.isPresent() && toAnchor.isPresent()) {
            throw new UsageException("give --to-time or --to-anchor, not both");
        }
        Path into = call.args
                .value("--data-dir")
                .map(Path::of)
                .orElse(dev.walletledger.runtime.EmbeddedDatabase.DEFAULT_DIRECTORY);
        Backups.RestoreRequest request = Backups.RestoreRequest.of(from, into);
        request = call.args
                .value("--wal-archive")
                .map(Path::of)
                .map(request::walArchive)
                .orElse(request);
        request = time.map(request::toTime).orElse(request);
        request = toAnchor.map(request::toAnchor).orElse(request);
        request = call.args
                .value("--anchor")
                .map(Anchor::parse)
                .map(request::verifyingAnchor)
                .orElse(request);
        request = call.args.value("--schema").map(request::schema).orElse(request);
        if (call.args.value("--pg-bin").isPresent()) {
            request = request.installation(Path.of(call.args.value("--pg-bin").get()), call.args.value("--os-user"));
        }
        Backups.Restored restored;
        try {
            restored = Backups.restore(request, notice -> call.err.println("wallet: " + notice));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data_directory", into.toString());
        facts.put("target", restored.target());
        facts.put("copy_millis", restored.copyMillis());
        facts.put("recovery_millis", restored.recoveryMillis());
        return report(call, restored.report(), facts, request.toAnchor().or(request::anchor));
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
                    .forEach(v -> call.out.println(
                            "violation " + v.check().wireName() + " " + v.subject() + ": " + v.detail()));
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

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException(
                    "--to-time must be ISO-8601 with an offset, such as 2026-11-30T12:00:00Z, got " + text);
        }
    }
}
