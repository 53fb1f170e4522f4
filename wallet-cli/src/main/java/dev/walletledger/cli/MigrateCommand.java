package dev.walletledger.cli;

import dev.walletledger.core.Asset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet migrate}: creates or upgrades the ledger's schema. */
final class MigrateCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "migrate",
            "create or upgrade the ledger's schema",
            "wallet migrate [--schema NAME] [--no-starter-assets]",
            """
            Applies the migrations shipped in this jar (Flyway) to the ledger's schema, creating it when
            needed, then adds the starter assets GOLD_COINS, DIAMONDS and LOYALTY_POINTS when missing
            (unless --no-starter-assets). Safe to run at every deploy and from several processes at once;
            the server does the same at start.""",
            List.of(),
            0,
            List.of(Args.Option.flag("--no-starter-assets", "create no asset; add your own with wallet assets add")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        int applied = call.database().migrate();
        String schema = call.ledger().config().schema();
        List<String> added = new ArrayList<>();
        if (!call.args.has("--no-starter-assets")) {
            java.util.Set<String> existing = new java.util.HashSet<>();
            call.ledger().assets().forEach(a -> existing.add(a.code()));
            for (Asset asset : Asset.STARTERS) {
                if (!existing.contains(asset.code())) {
                    call.ledger().addAsset(asset);
                    added.add(asset.code());
                }
            }
        }
        if (call.json()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("schema", schema);
            document.put("migrations_applied", applied);
            document.put("assets_added", added);
            call.printJson(document);
        } else if (applied == 0) {
            call.out.println("schema " + schema + " is up to date; no migrations to apply");
        } else {
            call.out.println(
                    "schema " + schema + ": applied " + applied + (applied == 1 ? " migration" : " migrations"));
        }
        if (!added.isEmpty()) {
            call.out.println("added the starter assets " + String.join(", ", added));
        }
        return ExitCode.OK;
    }
}
