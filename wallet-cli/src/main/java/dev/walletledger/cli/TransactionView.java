package dev.walletledger.cli;

import dev.walletledger.core.Entry;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a transaction (from {@code tx} or a write) is shown: a block of fields and its entries, or JSON. */
final class TransactionView {
    /** UTC, millisecond precision, fixed width: columns line up and tests can match them. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private TransactionView() {}

    static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    /**
     * Applies {@code operation} on behalf of the command line's actor ({@code --actor}, else
     * {@code cli:<login>}) and prints the answer: the transaction as JSON, or a first line (a replay, or
     * {@code applied:} with the balance after, naming the user when {@code nameUser}) and the block.
     */
    static ExitCode apply(Invocation call, Operation operation, boolean nameUser) {
        String actor = call.args.value("--actor").orElse("cli:" + System.getProperty("user.name", "unknown"));
        TransactionResult result;
        try {
            result = call.ledger().apply(operation, actor);
        } catch (WalletException e) {
            if (e.replayed()) { // which HTTP tells in its Idempotent-Replayed header
                call.err.println("wallet: replayed: reference " + operation.referenceId()
                        + " was refused before and stays refused; a new attempt needs a new --reference");
            }
            throw e;
        }
        if (call.json()) {
            call.printJson(Bodies.transaction(result)); // the body the HTTP API answers
            if (result.replayed()) { // which HTTP tells in its Idempotent-Replayed header
                call.err.println("wallet: replayed: reference " + result.referenceId()
                        + " was already applied; nothing changed");
            }
            return ExitCode.OK;
        }
        int decimals = call.decimalPlaces(result.assetCode());
        call.out.println(
                result.replayed()
                        ? "replayed: reference " + result.referenceId() + " was already applied; nothing changed"
                        : "applied: " + (nameUser ? result.userId() + "'s balance" : "balance") + " after is "
                                + Units.major(result.balanceAfter(), decimals) + " " + result.assetCode());
        print(result, decimals, call.out);
        return ExitCode.OK;
    }

    /** The idempotency paragraph of every movement command's help. */
    static final String IDEMPOTENCY = """

            The reference is the idempotency key, bound to the first outcome: running the same command
            again prints the original transaction, marked as a replay, and changes nothing; a refusal
            (exit 65 or 66) is told again too, even after the balance changed, so a new attempt needs a
            new reference. The same reference with anything else different is IDEMPOTENCY_CONFLICT
            (exit 65).""";

    static void print(TransactionResult result, int decimalPlaces, PrintStream out) {
        Table fields = Table.of("FIELD", Table.Align.LEFT, "VALUE", Table.Align.LEFT);
        fields.row("transaction_id", result.transactionId().toString());
        fields.row("reference_id", result.referenceId());
        fields.row("type", result.type().name());
        fields.row("user_id", result.userId());
        fields.row("asset_code", result.assetCode());
        fields.row("amount", Units.major(result.amount(), decimalPlaces) + " (" + result.amount() + " minor units)");
        fields.row(
                "balance",
                Units.major(result.balanceAfter(), decimalPlaces) + " (" + result.balanceAfter() + " minor units)");
        fields.row("created_at", timestamp(result.createdAt()));
        for (Map.Entry<String, String> field : requestFields(result).entrySet()) {
            fields.row(field.getKey(), field.getValue());
        }
        if (result.reverses() != null) {
            fields.row("reverses", result.reverses().toString());
        }
        if (result.type() == OperationType.CHARGEBACK) {
            fields.row("recovered", Units.major(result.recovered(), decimalPlaces));
            fields.row("shortfall", Units.major(result.shortfall(), decimalPlaces));
        }
        if (result.actor() != null) {
            fields.row("actor", result.actor());
        }
        if (!result.breakdown().isEmpty()) {
            fields.row(
                    "breakdown",
                    String.join(
                            ", ",
                            result.breakdown().stream()
                                    .map(lot -> Units.major(lot.amount(), decimalPlaces) + " "
                                            + lot.lotClass().name().toLowerCase(java.util.Locale.ROOT)
                                            + lot.expiry()
                                                    .map(at -> " expiring " + at)
                                                    .orElse(""))
                                    .toList()));
        }
        fields.row("metadata", result.metadata().json());
        fields.printRows(out);
        out.println();
        Table entries = Table.of(
                "WALLET",
                Table.Align.RIGHT,
                "KIND",
                Table.Align.LEFT,
                "OWNER",
                Table.Align.LEFT,
                "DIRECTION",
                Table.Align.LEFT,
                "AMOUNT",
                Table.Align.RIGHT,
                "BALANCE_AFTER",
                Table.Align.RIGHT);
        for (Entry entry : result.entries()) {
            entries.row(
                    Long.toString(entry.walletId()),
                    entry.walletKind().name(),
                    entry.owner(),
                    entry.direction().name(),
                    Units.major(entry.amount(), decimalPlaces),
                    entry.balanceAfter().isPresent()
                            ? Units.major(entry.balanceAfter().getAsLong(), decimalPlaces)
                            : "-");
        }
        entries.print(out);
    }

    /**
     * The request's own fields beyond those every transaction shows (user, asset, amount): a seed type's
     * detail (payment_method...), a transfer's parties, a reversal's reason, a chargeback's policy.
     */
    private static Map<String, String> requestFields(TransactionResult result) {
        Map<String, String> fields = new LinkedHashMap<>(result.operation().fields());
        fields.keySet().removeAll(List.of("user_id", "asset_code", "amount", "transaction_id"));
        return fields;
    }
}
