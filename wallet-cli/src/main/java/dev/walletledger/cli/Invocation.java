package dev.walletledger.cli;

import dev.walletledger.core.Asset;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.WalletException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** One run of one command: its arguments, its streams, and the database, opened on first use. */
final class Invocation implements AutoCloseable {
    final Args.Parsed args;
    final PrintStream out;
    final PrintStream err;
    /** Whether stderr is an interactive terminal (progress bars are drawn there without being asked). */
    final boolean interactive;

    final LongSupplier nanoTime;
    private final Supplier<Database> opener;
    private Database database;
    private List<Asset> assets;

    Invocation(
            Args.Parsed args,
            PrintStream out,
            PrintStream err,
            boolean interactive,
            LongSupplier nanoTime,
            Supplier<Database> opener) {
        this.args = args;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.nanoTime = nanoTime;
        this.opener = opener;
    }

    boolean json() {
        return args.has("--json");
    }

    String positional(int index) {
        return index < args.positionals().size() ? args.positionals().get(index) : null;
    }

    String required(String option) {
        return args.value(option).orElseThrow(() -> new UsageException(option + " is required"));
    }

    Database database() {
        if (database == null) {
            database = opener.get();
        }
        return database;
    }

    Ledger ledger() {
        return database().ledger();
    }

    /** The asset's decimal places, from one read of the asset list per run. */
    int decimalPlaces(String assetCode) {
        if (assets == null) {
            assets = ledger().assets();
        }
        return assets.stream()
                .filter(asset -> asset.code().equals(assetCode))
                .findFirst()
                .orElseThrow(() -> WalletException.of(
                        ErrorCode.ASSET_NOT_FOUND, "no asset " + assetCode, Map.of("asset_code", assetCode)))
                .decimalPlaces();
    }

    /** Prints one JSON document on stdout. */
    void printJson(Object document) {
        out.println(Json.write(document));
    }

    /** Prints a document the HTTP API's writer made ({@code dev.walletledger.http.wire.Bodies}) on stdout. */
    void printJson(byte[] document) {
        out.println(new String(document, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
    }
}
