package dev.walletledger.cli;

import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import java.util.List;

/**
 * {@code wallet topup|bonus|spend USER --asset A --amount N --reference REF}: one ledger operation, with the
 * same rules and idempotency as the library and the server. Operators fix balances this way, never by
 * editing rows.
 */
final class OperationCommand implements Command {
    private final OperationType type;
    private final String detailOption;
    private final Synopsis synopsis;

    OperationCommand(OperationType type) {
        this.type = type;
        String name = type.name().toLowerCase(java.util.Locale.ROOT);
        this.detailOption = "--" + type.detailField().replace('_', '-');
        this.synopsis = new Synopsis(
                name,
                summary(type),
                "wallet " + name + " USER --asset CODE --amount N --reference REF [--metadata JSON] [" + detailOption
                        + " TEXT]" + (type == OperationType.SPEND ? "" : " [--expires WHEN]")
                        + " [--actor NAME] [--json]",
                description(type),
                List.of("USER"),
                1,
                options(type, detailOption));
    }

    private static List<Args.Option> options(OperationType type, String detailOption) {
        List<Args.Option> options = new java.util.ArrayList<>(List.of(
                Args.Option.value("--asset", "CODE", "the asset (GOLD_COINS)"),
                Args.Option.value(
                        "--amount",
                        "N",
                        "minor units, a whole number from 1 to " + Operation.AMOUNT_MAX
                                + " (1250 is 12.50 of a 2-decimal asset)"),
                Args.Option.value("--reference", "REF", "the idempotency key: unique across all operations"),
                Args.Option.value("--metadata", "JSON", "a JSON object recorded with the transaction"),
                Args.Option.value(detailOption, "TEXT", detailHelp(type)),
                Args.Option.value(
                        "--actor",
                        "NAME",
                        "who is doing this, recorded and hash-chained with the" + " transaction (cli:<your login>)")));
        if (type != OperationType.SPEND) {
            options.add(Args.Option.value(
                    "--expires",
                    "WHEN",
                    "when the coins expire: a time (2026-12-31T00:00:00Z) or a duration from now (7d, 12h);"
                            + " never by default"));
        }
        return List.copyOf(options);
    }

    /** {@code --expires}: an RFC 3339 time, or a duration from now such as 7d. */
    static java.time.Instant expiry(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException notATime) {
            return java.time.Instant.now().plusSeconds(MovementCommand.seconds(text));
        }
    }

    private static String summary(OperationType type) {
        return switch (type) {
            case TOPUP -> "credit purchased currency to a user (from the TREASURY)";
            case BONUS -> "credit granted currency to a user (from the BONUS_POOL)";
            case SPEND -> "debit a user's spent currency (to REVENUE)";
            case TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                throw new IllegalArgumentException(type + " has a command of its own");
        };
    }

    private static String detailHelp(OperationType type) {
        return switch (type) {
            case TOPUP -> "how it was paid (stripe)";
            case BONUS -> "why it was granted (REFERRAL)";
            case SPEND -> "what was bought (skin_dragon_001)";
            case TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                throw new IllegalArgumentException(type + " has a command of its own");
        };
    }

    private static String description(OperationType type) {
        String what = switch (type) {
            case TOPUP ->
                "Debits the asset's TREASURY and credits the user's paid lot of that expiry (--expires; never by\n"
                        + "default), creating the wallet on its first credit.";
            case BONUS ->
                "Debits the asset's BONUS_POOL and credits the user's free lot of that expiry (--expires; never by\n"
                        + "default), creating the wallet on its first credit.";
            case SPEND ->
                "Debits the user's lots in the asset's spend order and credits the asset's REVENUE with the paid\n"
                        + "part and PROMO_REDEEMED with the free part (the breakdown says which lots); a balance too\n"
                        + "small is INSUFFICIENT_FUNDS (exit 65), which moves nothing and binds the reference to the\n"
                        + "refusal.";
            case TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                throw new IllegalArgumentException(type + " has a command of its own");
        };
        return what + "\n" + TransactionView.IDEMPOTENCY;
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        String user = call.positional(0);
        String asset = call.required("--asset");
        long amount;
        try {
            amount = Args.wholeNumber("--amount", call.required("--amount"), 1, Operation.AMOUNT_MAX);
        } catch (UsageException e) {
            throw new UsageException(e.getMessage() + " (minor units: 1250 is 12.50 of a 2-decimal asset)");
        }
        String reference = call.required("--reference");
        Metadata metadata = call.args.value("--metadata").map(Metadata::parse).orElse(Metadata.empty());
        String detail = call.args.value(detailOption).orElse(null);
        java.time.Instant expiresAt =
                call.args.value("--expires").map(OperationCommand::expiry).orElse(null);
        Operation operation = Operation.of(type, user, asset, amount, reference, detail, metadata, expiresAt);
        return TransactionView.apply(call, operation, false);
    }
}
