package dev.walletledger.core;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The ledger's reads, routed to the read replica when it can serve them ({@link Ledger#reads(Position)}).
 * Each answer is the one {@link Ledger}'s own read of the same name gives, from the database it names.
 */
public final class RoutedReads {
    private final Ledger ledger;
    private final Position after;

    RoutedReads(Ledger ledger, Position after) {
        this.ledger = ledger;
        this.after = after;
    }

    public Routed<Balance> balance(String userId, String assetCode) {
        return ledger.router().read(after, ledger.balanceWork(userId, assetCode), false);
    }

    public Routed<List<Balance>> balances(String userId) {
        return ledger.router().read(after, ledger.balancesWork(userId), false);
    }

    public Routed<Optional<TransactionResult>> transaction(UUID transactionId) {
        return ledger.router().read(after, ledger.transactionWork(transactionId), false);
    }

    public Routed<Optional<TransactionResult>> transactionByReference(String referenceId) {
        return ledger.router().read(after, ledger.transactionByReferenceWork(referenceId), false);
    }

    public Routed<HistoryPage> history(String userId, String assetCode, String cursor, int limit) {
        return ledger.router().read(after, ledger.historyWork(userId, assetCode, cursor, limit), true);
    }
}
