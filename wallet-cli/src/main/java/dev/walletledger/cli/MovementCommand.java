package dev.walletledger.cli;

import dev.walletledger.core.ChargebackPolicy;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Metadata;
import dev.walletledger.core.Operation;
import dev.walletledger.core.WalletException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code wallet transfer|reverse|chargeback|adjust}: the movements beyond the seed's three, with the same
 * rules and idempotency as the library and the server.
 */
final class MovementCommand implements Command {
    private static final String IDEMPOTENCY = TransactionView.IDEMPOTENCY;

    private final Synopsis synopsis;
    private final Function<Invocation, Operation> parse;

    private MovementCommand(Synopsis synopsis, Function<Invocation, Operation> parse) {
        this.synopsis = synopsis;
        this.parse = parse;
    }

    static List<Command> all() {
        return List.of(transfer(), reverse(), chargeback(), adjust(), hold(), capture(), voidHold());
    }

    private static Args.Option reference() {
        return Args.Option.value("--reference", "REF", "the idempotency key: unique across all operations");
    }

    private static Args.Option metadata() {
        return Args.Option.value("--metadata", "JSON", "a JSON object recorded with the transaction");
    }

    private static Args.Option actor() {
        return Args.Option.value(
                "--actor",
                "NAME",
                "who is doing this, recorded and hash-chained with the transaction (cli:<your login>)");
    }

    private static Args.Option amount(String help) {
        return Args.Option.value("--amount", "N", help + ", minor units from 1 to " + Operation.AMOUNT_MAX);
    }

    private static List<Args.Option> options(Args.Option... specific) {
        List<Args.Option> options = new ArrayList<>(List.of(specific));
        options.add(reference());
        options.add(metadata());
        options.add(actor());
        return options;
    }

    static MovementCommand transfer() {
        return new MovementCommand(
                new Synopsis(
                        "transfer",
                        "move currency from one user to another",
                        "wallet transfer FROM TO --asset CODE --amount N --reference REF [--metadata JSON]"
                                + " [--actor NAME] [--json]",
                        """
                        Debits FROM and credits TO, creating TO's wallet if missing. A balance too small
                        is INSUFFICIENT_FUNDS (exit 65), which moves nothing; FROM and TO must differ.""" + IDEMPOTENCY,
                        List.of("FROM", "TO"),
                        2,
                        options(
                                Args.Option.value("--asset", "CODE", "the asset (GOLD_COINS)"),
                                amount("how much to move"))),
                call -> new Operation.Transfer(
                        call.positional(0),
                        call.positional(1),
                        call.required("--asset"),
                        requiredAmount(call),
                        call.required("--reference"),
                        metadata(call)));
    }

    static MovementCommand reverse() {
        return new MovementCommand(
                new Synopsis(
                        "reverse",
                        "refund all or part of a transaction",
                        "wallet reverse TX --reference REF [--amount N] [--reason TEXT] [--metadata JSON]"
                                + " [--actor NAME] [--json]",
                        """
                        Posts the mirror image of transaction TX (a top-up, bonus, spend, transfer or
                        adjustment), scaled to --amount, which defaults to what is not yet reversed. More
                        than remains is REVERSAL_EXCEEDS_ORIGINAL, a reversal or chargeback is
                        NOT_REVERSIBLE, coins already spent are INSUFFICIENT_FUNDS (all exit 65).""" + IDEMPOTENCY,
                        List.of("TX"),
                        1,
                        options(
                                amount("how much to reverse (default: all that remains)"),
                                Args.Option.value("--reason", "TEXT", "why, recorded with the reversal"))),
                call -> new Operation.Reversal(
                        transactionId(call),
                        call.required("--reference"),
                        optionalAmount(call),
                        call.args.value("--reason").orElse(null),
                        metadata(call)));
    }

    static MovementCommand chargeback() {
        return new MovementCommand(
                new Synopsis(
                        "chargeback",
                        "take back a top-up whose payment was charged back",
                        "wallet chargeback TX --reference REF --policy debt|write_off [--amount N]"
                                + " [--metadata JSON] [--actor NAME] [--json]",
                        """
                        Recovers what it can of top-up TX from the user's balance and credits the TREASURY.
                        The shortfall goes by the policy: debt takes the balance negative (later credits
                        repay it first), write_off books it to CHARGEBACK_LOSS and leaves the user at zero.
                        --amount defaults to what is not yet taken back.""" + IDEMPOTENCY,
                        List.of("TX"),
                        1,
                        options(
                                Args.Option.value("--policy", "debt|write_off", "what to do with the shortfall"),
                                amount("how much was charged back (default: all that remains)"))),
                call -> new Operation.Chargeback(
                        transactionId(call),
                        call.required("--reference"),
                        optionalAmount(call),
                        policy(call.required("--policy")),
                        metadata(call)));
    }

    static MovementCommand adjust() {
        return new MovementCommand(
                new Synopsis(
                        "adjust",
                        "an operator's correction of a user's balance",
                        "wallet adjust USER --asset CODE (--credit N | --debit N) --reason TEXT --reference REF"
                                + " [--metadata JSON] [--actor NAME] [--json]",
                        """
                        Credits the user from the asset's ADJUSTMENTS wallet, or debits the user to it; the
                        reason is required and recorded with the operator (--actor). A debit larger than
                        the balance is INSUFFICIENT_FUNDS (exit 65).""" + IDEMPOTENCY,
                        List.of("USER"),
                        1,
                        options(
                                Args.Option.value("--asset", "CODE", "the asset (GOLD_COINS)"),
                                Args.Option.value("--credit", "N", "minor units to credit"),
                                Args.Option.value("--debit", "N", "minor units to debit"),
                                Args.Option.value("--reason", "TEXT", "why: required, recorded"))),
                call -> {
                    var credit = call.args.value("--credit");
                    var debit = call.args.value("--debit");
                    if (credit.isPresent() == debit.isPresent()) {
                        throw new UsageException("give exactly one of --credit N and --debit N");
                    }
                    String option = credit.isPresent() ? "--credit" : "--debit";
                    long amount = Args.wholeNumber(option, credit.orElseGet(debit::get), 1, Operation.AMOUNT_MAX);
                    return new Operation.Adjustment(
                            call.positional(0),
                            call.required("--asset"),
                            credit.isPresent() ? Direction.CREDIT : Direction.DEBIT,
                            amount,
                            call.required("--reference"),
                            call.required("--reason"),
                            metadata(call));
                });
    }

    static MovementCommand hold() {
        return new MovementCommand(
                new Synopsis(
                        "hold",
                        "reserve part of a user's balance until captured, voided or expired",
                        "wallet hold USER --asset CODE --amount N --expires DURATION --reference REF"
                                + " [--metadata JSON] [--actor NAME] [--json]",
                        """
                        Moves --amount out of the user's spendable balance into the wallet's held account.
                        --expires is how long the hold lasts, from 1s to 30d (90s, 10m, 2h, 7d); then what
                        remains goes back to the balance by itself. A balance too small is
                        INSUFFICIENT_FUNDS (exit 65). The answer's hold_id names the hold.""" + IDEMPOTENCY,
                        List.of("USER"),
                        1,
                        options(
                                Args.Option.value("--asset", "CODE", "the asset (GOLD_COINS)"),
                                amount("how much to hold"),
                                Args.Option.value("--expires", "DURATION", "how long it lasts: 90s, 10m, 2h, 7d"))),
                call -> new Operation.Hold(
                        call.positional(0),
                        call.required("--asset"),
                        requiredAmount(call),
                        call.required("--reference"),
                        OptionalLong.of(seconds(call.required("--expires"))),
                        null,
                        metadata(call)));
    }

    static MovementCommand capture() {
        return new MovementCommand(
                new Synopsis(
                        "capture",
                        "spend held coins: all or part of an open hold, into REVENUE",
                        "wallet capture HOLD --reference REF [--amount N] [--partial] [--item-id TEXT]"
                                + " [--metadata JSON] [--actor NAME] [--json]",
                        """
                        Captures --amount of hold HOLD (default: all that remains) into the asset's REVENUE.
                        The capture is final unless --partial: the rest goes back to the balance and the hold
                        closes. An expired hold is HOLD_EXPIRED, a closed one HOLD_CLOSED, more than remains
                        HOLD_AMOUNT_EXCEEDED (all exit 65).""" + IDEMPOTENCY,
                        List.of("HOLD"),
                        1,
                        options(
                                amount("how much to capture (default: all that remains)"),
                                Args.Option.flag("--partial", "keep the hold open for more captures"),
                                Args.Option.value("--item-id", "TEXT", "what was bought (skin_dragon_001)"))),
                call -> new Operation.Capture(
                        holdId(call),
                        call.required("--reference"),
                        optionalAmount(call),
                        !call.args.has("--partial"),
                        call.args.value("--item-id").orElse(null),
                        metadata(call)));
    }

    static MovementCommand voidHold() {
        return new MovementCommand(
                new Synopsis(
                        "void",
                        "call off an open hold: what remains goes back to the balance",
                        "wallet void HOLD --reference REF [--metadata JSON] [--actor NAME] [--json]",
                        """
                        Releases what remains of hold HOLD to the user's balance and closes it. A closed or
                        expired hold is HOLD_CLOSED (exit 65).""" + IDEMPOTENCY,
                        List.of("HOLD"),
                        1,
                        options()),
                call -> new Operation.VoidHold(holdId(call), call.required("--reference"), metadata(call)));
    }

    /** A duration such as 90s, 10m, 2h or 7d, in seconds. */
    static long seconds(String text) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("([0-9]{1,7})([smhd])").matcher(text);
        if (!m.matches()) {
            throw new UsageException(
                    "--expires must be a number and a unit (s, m, h, d) such as 10m, got " + Args.quoted(text));
        }
        long unit = switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3_600;
            default -> 86_400;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    static UUID holdId(Invocation call) {
        String text = call.positional(0);
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("HOLD must be a hold id (a UUID), got " + text);
        }
    }

    private static long requiredAmount(Invocation call) {
        return Args.wholeNumber("--amount", call.required("--amount"), 1, Operation.AMOUNT_MAX);
    }

    private static OptionalLong optionalAmount(Invocation call) {
        return call.args
                .value("--amount")
                .map(text -> OptionalLong.of(Args.wholeNumber("--amount", text, 1, Operation.AMOUNT_MAX)))
                .orElse(OptionalLong.empty());
    }

    private static Metadata metadata(Invocation call) {
        return call.args.value("--metadata").map(Metadata::parse).orElse(Metadata.empty());
    }

    private static UUID transactionId(Invocation call) {
        String text = call.positional(0);
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("TX must be a transaction id (a UUID), got " + text);
        }
    }

    private static ChargebackPolicy policy(String text) {
        try {
            return ChargebackPolicy.parse("policy", text);
        } catch (WalletException e) {
            throw new UsageException("--policy must be debt or write_off, got " + Args.quoted(text));
        }
    }

    @Override
    public Synopsis synopsis() {
        return synopsis;
    }

    @Override
    public ExitCode run(Invocation call) {
        return TransactionView.apply(call, parse.apply(call), true);
    }
}
