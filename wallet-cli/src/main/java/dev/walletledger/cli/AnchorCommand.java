package dev.walletledger.cli;

import dev.walletledger.core.Anchor;
import dev.walletledger.runtime.backup.Backups;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet anchor}: prints the current head of every hash chain as one anchor to keep elsewhere. */
final class AnchorCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "anchor",
            "print the ledger's chain anchor, to store outside the database",
            "wallet anchor [--json]",
            """
            Every transaction is hash-chained to the one before it on the same wallet. The anchor folds
            every wallet's chain head, as of the last ledger entry, into one line (wl1.<entry>.<digest>).
            Store it outside the database (a ticket, a log, a commit); 'wallet verify --anchor LINE' later
            proves that history up to it is unchanged. Waits briefly for writes in flight; run it as the
            ledger's owner (it locks the entries table in SHARE mode for a moment).

            It also marks a PostgreSQL restore point named wallet-anchor-<entry>, so that
            'wallet restore --to-anchor' can recover to this moment. That needs a superuser (the embedded
            PostgreSQL's is one) or EXECUTE on pg_create_restore_point; without it the anchor is printed
            all the same, and 'restore_point' is null in --json.""",
            List.of(),
            0,
            List.of());

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        Anchor anchor = call.ledger().anchor();
        String restorePoint =
                Backups.markRestorePoint(call.database().dataSource(), anchor).orElse(null);
        if (call.json()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("anchor", anchor.toString());
            document.put("entry_id", anchor.entryId());
            document.put("digest", anchor.digest());
            document.put("restore_point", restorePoint);
            call.printJson(document);
        } else {
            call.out.println(anchor);
        }
        return ExitCode.OK;
    }
}
