package dev.walletledger.core;

import dev.walletledger.core.internal.Engine;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The ledger's reads, routed to the read replica when it can serve them ({@link Ledger#reads(Position)}).
 * Each answer is the one {@link Ledger}'s own read of the same name gives, from the database it names.
 */
public final class RoutedReads {
    private final Engine engine;
    private final Position after;

    RoutedReads(Engine engine, Position after) {
        this.engine = engine;
        this.after = after;
    }

    public Routed<Balance> balance(String userId, String assetCode) {
        return engine.balance(after, Checks.identifier("user_id", userId), Checks.assetCode(assetCode));
    }

    public Routed<List<Balance>> balances(String userId) {
        return engine.balances(after, Checks.identifier("user_id", userId));
    }

    public Routed<Optional<TransactionResult>> transaction(UUID transactionId) {
        return engine.transaction(after, java.util.Objects.requireNonNull(transactionId, "transactionId"));
    }

    public Routed<Optional<TransactionResult>> transactionByReference(String referenceId) {
        return engine.transactionByReference(after, Checks.identifier("reference_id", referenceId));
    }

    public Routed<HistoryPage> history(String userId, String assetCode, String cursor, int limit) {
        return engine.history(
                after,
                Checks.identifier("user_id", userId),
                assetCode == null ? null : Checks.assetCode(assetCode),
                cursor,
                Ledger.checkedLimit(limit));
    }
}
