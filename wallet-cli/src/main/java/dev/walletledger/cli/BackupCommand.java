package dev.walletledger.cli;

import dev.walletledger.runtime.backup.BackupManifest;
import dev.walletledger.runtime.backup.Backups;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code wallet backup --to DIR}: a consistent physical backup (or a logical dump) of a running ledger. */
final class BackupCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "backup",
            "back up the ledger while it runs: a physical backup, or a portable dump",
            "wallet backup --to DIR [--pg-bin DIR] [--json]  |  wallet backup --logical --to FILE [--json]",
            """
            Physical (the default): a copy of the whole PostgreSQL cluster as of one moment, taken while
            writes go on, into DIR (which must not exist or be empty): DIR/data, the data directory with the
            WAL it needs; DIR/SHA256SUMS, a checksum per file; DIR/wallet-backup.json, the manifest
            (PostgreSQL's version and system id, the WAL range, the ledger's anchor, sizes). Of the embedded
            PostgreSQL it uses PostgreSQL's backup API and copies the files; of a server given by
            --database-url it runs that server's pg_basebackup (from --pg-bin, or the PATH), as a role with
            the REPLICATION attribute. Restore it with 'wallet restore --from DIR', to any later moment
            when WAL archiving is on.

            --logical: the ledger's schema only, in one snapshot, as a text file (COPY format) that any
            PostgreSQL major version can load with 'wallet restore --logical'. For moving between major
            versions; a physical backup with WAL archiving is the one that recovers to a moment.

            Either way the ledger's anchor is taken first and recorded, so a restore can prove the history
            it brings back is the one backed up.""",
            List.of(),
            0,
            List.of(
                    Args.Option.value("--to", "DIR|FILE", "where to write the backup (must not exist, or be empty)"),
                    Args.Option.flag("--logical", "a portable dump of the ledger's schema instead"),
                    Args.Option.value("--pg-bin", "DIR", "the directory of pg_basebackup, for a server by URL")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        Path to = Path.of(call.required("--to"));
        long started = System.nanoTime();
        Database database = call.database();
        Map<String, Object> document = new LinkedHashMap<>();
        if (call.args.has("--logical")) {
            Backups.Dumped dump = Backups.logical(call.ledger(), database.dataSource(), to);
            document.put("kind", "logical");
            document.put("to", to.toString());
            document.put("anchor", dump.anchor().toString());
            document.put("rows", new LinkedHashMap<>(dump.rows()));
            document.put("bytes", dump.bytes());
        } else {
            BackupManifest manifest = database.embedded().isPresent()
                    ? Backups.physical(
                            call.ledger(),
                            database.dataSource(),
                            database.embedded().get(),
                            to)
                    : Backups.physical(
                            call.ledger(),
                            database.dataSource(),
                            database.url().orElseThrow(),
                            call.args.value("--pg-bin").map(Path::of),
                            to);
            document.putAll(Json.object(manifest.json()));
            document.put("to", to.toString());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        document.put("elapsed_millis", millis);
        if (call.json()) {
            call.printJson(document);
            return ExitCode.OK;
        }
        call.out.println("backup written to " + to + " (" + document.get("kind") + "): "
                + String.format(Locale.ROOT, "%.1f MB", ((Number) document.get("bytes")).longValue() / 1e6) + " in "
                + String.format(Locale.ROOT, "%.1f s", millis / 1e3));
        if (document.containsKey("start_lsn")) {
            call.out.println("WAL " + document.get("start_lsn") + " to " + document.get("stop_lsn") + ", "
                    + document.get("files") + " files, checksums in " + to.resolve("SHA256SUMS"));
        }
        call.out.println("anchor " + document.get("anchor"));
        return ExitCode.OK;
    }
}
