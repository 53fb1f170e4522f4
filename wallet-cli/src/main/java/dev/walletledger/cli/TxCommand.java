package dev.walletledger.cli;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Bodies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** {@code wallet tx ID} or {@code wallet tx --reference REF}: one transaction with its entries. */
final class TxCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "tx",
            "show one transaction with its entries",
            "wallet tx TRANSACTION_ID | wallet tx --reference REF  [--json]",
            """
            Shows one transaction, found by its id (a UUID) or by its reference id: the operation as
            recorded, the balance right after it, and every posting: each USER wallet with its balance
            after, and the SYSTEM wallets on the other side; then the reversals and chargebacks that
            take it back. None found is TRANSACTION_NOT_FOUND (exit 66).""",
            List.of("TRANSACTION_ID"),
            0,
            List.of(Args.Option.value("--reference", "REF", "find it by its reference id instead")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String id = call.positional(0);
        Optional<String> reference = call.args.value("--reference");
        if ((id == null) == reference.isEmpty()) {
            throw new UsageException("give either a TRANSACTION_ID or --reference REF");
        }
        Optional<TransactionResult> found = id != null
                ? call.ledger().transaction(uuid(id))
                : call.ledger().transactionByReference(reference.get());
        if (found.isEmpty()) {
            String what = id != null ? "transaction " + id : "transaction with reference " + reference.get();
            throw WalletException.of(
                    ErrorCode.TRANSACTION_NOT_FOUND,
                    "no " + what,
                    id != null ? Map.of("transaction_id", id) : Map.of("reference_id", reference.get()));
        }
        TransactionResult result = found.get();
        if (call.json()) {
            call.printJson(Bodies.transactionWithEntries(result)); // as GET /api/v1/transactions/{id} answers
        } else {
            TransactionView.print(result, call.decimalPlaces(result.assetCode()), call.out);
        }
        return ExitCode.OK;
    }

    static UUID uuid(String text) {
        if (!text.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new UsageException(
                    "TRANSACTION_ID must be a UUID (0190c3a2-7b1e-7c3d-8e4f-123456789abc), got " + Args.quoted(text));
        }
        return UUID.fromString(text);
    }
}
