package dev.walletledger.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet migrate}: creates or upgrades the ledger's schema. */
final class MigrateCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "migrate",
            "create or upgrade the ledger's schema",
            "wallet migrate [--schema NAME]",
            """
            Applies the migrations shipped in this jar (Flyway) to the ledger's schema, creating it when
            needed. Safe to run at every deploy and from several processes at once; the server does the
            same at start.""",
            List.of(),
            0,
            List.of());

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        int applied = call.database().migrate();
        String schema = call.ledger().config().schema();
        if (call.json()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("schema", schema);
            document.put("migrations_applied", applied);
            call.printJson(document);
        } else if (applied == 0) {
            call.out.println("schema " + schema + " is up to date; no migrations to apply");
        } else {
            call.out.println(
                    "schema " + schema + ": applied " + applied + (applied == 1 ? " migration" : " migrations"));
        }
        return ExitCode.OK;
    }
}
