package dev.walletledger.core.internal;

import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.SystemWallet;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, in memory and in order, what each operation does to the locked USER wallets: the pure heart
 * of a write. Knows nothing of SQL; {@link WriteEngine} feeds it locked balances and writes what it
 * planned.
 */
final class Plan {
    /** A USER wallet by owner and asset. */
    record WalletKey(String owner, int assetId) {}

    /** A locked wallet; {@code balance} and {@code head} move as operations are planned. */
    static final class LockedWallet {
        final long id;
        long balance;
        byte[] head;
        boolean touched;

        LockedWallet(long id, long balance, byte[] head) {
            this.id = id;
            this.balance = balance;
            this.head = head;
        }
    }

    /** One planned transaction: two entries, user first, and its place on the wallet's chain. */
    record Planned(
            int index,
            UUID transactionId,
            Operation operation,
            AssetDirectory.AssetRow asset,
            long userWalletId,
            long balanceAfter,
            List<Entry> entries,
            String fingerprintHex,
            String actor,
            byte[] chainHash) {}

    private final Map<WalletKey, LockedWallet> wallets;
    private final Instant createdAt;
    private final List<Planned> planned = new ArrayList<>();

    /** {@code createdAt}: the transaction's timestamp, which the database will also store (now()). */
    Plan(Map<WalletKey, LockedWallet> wallets, Instant createdAt) {
        this.wallets = wallets;
        this.createdAt = createdAt;
    }

    Instant createdAt() {
        return createdAt;
    }

    /** Plans one operation, or returns the refusal that stops it (nothing is changed then). */
    WalletException add(int index, Operation operation, AssetDirectory.AssetRow asset, String actor) {
        LockedWallet wallet = wallets.get(new WalletKey(operation.userId(), asset.id()));
        long amount = operation.amount();
        boolean credit = operation.type().creditsUser();
        if (wallet == null) {
            Invariants.require(!credit, "a credit's wallet exists: it was created before the locks");
            return WalletException.of(
                    ErrorCode.WALLET_NOT_FOUND,
                    "user " + operation.userId() + " has no " + operation.assetCode() + " wallet",
                    Map.of("user_id", operation.userId(), "asset_code", operation.assetCode()));
        }
        if (credit && wallet.balance > Long.MAX_VALUE - amount) {
            return WalletException.of(
                    ErrorCode.BALANCE_OVERFLOW,
                    "crediting " + amount + " would take the balance past " + Long.MAX_VALUE,
                    Map.of("balance", wallet.balance, "amount", amount));
        }
        if (!credit && wallet.balance < amount) {
            return WalletException.of(
                    ErrorCode.INSUFFICIENT_FUNDS,
                    "balance " + wallet.balance + " is less than the amount " + amount,
                    Map.of("balance", wallet.balance, "amount", amount));
        }
        wallet.balance += credit ? amount : -amount;
        SystemWallet role = operation.type().counterparty();
        Entry user = new Entry(
                wallet.id,
                WalletKind.USER,
                operation.userId(),
                credit ? Direction.CREDIT : Direction.DEBIT,
                amount,
                OptionalLong.of(wallet.balance));
        Entry system = new Entry(
                asset.systemWallet(role),
                WalletKind.SYSTEM,
                role.name(),
                credit ? Direction.DEBIT : Direction.CREDIT,
                amount,
                OptionalLong.empty());
        UUID id = newTransactionId();
        List<Entry> entries = List.of(user, system);
        wallet.head = Chain.hash(wallet.head, id, operation, wallet.id, createdAt, actor, entries);
        wallet.touched = true;
        planned.add(new Planned(
                index,
                id,
                operation,
                asset,
                wallet.id,
                wallet.balance,
                entries,
                Idempotency.fingerprintHex(operation),
                actor,
                wallet.head));
        return null;
    }

    List<Planned> planned() {
        return planned;
    }

    /** The wallets an operation was planned on (new balance and chain head), in id order. */
    List<LockedWallet> touchedWallets() {
        return wallets.values().stream()
                .filter(w -> w.touched)
                .sorted((a, b) -> Long.compare(a.id, b.id))
                .toList();
    }

    /** A version 7 UUID: time-ordered, so new transactions land at the right edge of the primary key. */
    static UUID newTransactionId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
