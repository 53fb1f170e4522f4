package dev.walletledger.core.internal;

import dev.walletledger.core.ChargebackPolicy;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Operation;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.SystemWallet;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, in memory and in order, what each operation does to the locked USER wallets: the pure heart
 * of a write. Every operation becomes a list of legs (postings before pricing) that balance; the legs are
 * checked against the locked balances, priced into entries with each USER wallet's balance after, and
 * chained. Knows nothing of SQL; {@link WriteEngine} feeds it locked balances and writes what it planned.
 */
final class Plan {
    /** The account of a user's plain balance. */
    static final String MAIN = "main";

    /** A USER wallet by owner, asset and account. */
    record WalletKey(String owner, int assetId, String account) {
        static WalletKey main(String owner, int assetId) {
            return new WalletKey(owner, assetId, MAIN);
        }
    }

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

    /**
     * A transaction an operation takes back, as read before the locks, and how much of it was taken back
     * (read under the locks, then moved as this plan takes more).
     */
    static final class Original {
        final TransactionResult transaction;
        long taken;

        Original(TransactionResult transaction) {
            this.transaction = transaction;
        }
    }

    /** One posting before pricing: a USER wallet by key, or a SYSTEM wallet by id. */
    private record Leg(WalletKey user, long systemWallet, String role, Direction direction, long amount) {
        static Leg user(WalletKey key, Direction direction, long amount) {
            return new Leg(key, 0, null, direction, amount);
        }

        static Leg system(AssetDirectory.AssetRow asset, SystemWallet role, Direction direction, long amount) {
            return new Leg(null, asset.systemWallet(role), role.name(), direction, amount);
        }
    }

    /** A USER wallet an operation touches, and whether it may be created for it (it is credited). */
    record Touch(WalletKey key, boolean create) {}

    /** One planned transaction: its entries, subject first, and each USER entry's chain link. */
    record Planned(
            int index,
            UUID transactionId,
            Operation operation,
            AssetDirectory.AssetRow asset,
            long amount,
            UUID reverses,
            List<Entry> entries,
            List<byte[]> links,
            String fingerprintHex,
            String actor) {}

    private final Map<WalletKey, LockedWallet> wallets;
    private final Map<UUID, Original> originals;
    private final Instant createdAt;
    private final List<Planned> planned = new ArrayList<>();

    /**
     * {@code createdAt}: the transactions' timestamp, which the database will also store. {@code originals}:
     * the transactions that reversals and chargebacks take back, by id.
     */
    Plan(Map<WalletKey, LockedWallet> wallets, Map<UUID, Original> originals, Instant createdAt) {
        this.wallets = wallets;
        this.originals = originals;
        this.createdAt = createdAt;
    }

    Instant createdAt() {
        return createdAt;
    }

    /**
     * The USER wallets an operation touches, to be created (credited ones) and locked before it is planned.
     * {@code original} is the transaction a reversal or chargeback takes back (null for the others, or when
     * it was not found: then it touches none).
     */
    static List<Touch> touches(Operation operation, AssetDirectory.AssetRow asset, TransactionResult original) {
        if (operation instanceof Operation.TopUp o) {
            return List.of(new Touch(WalletKey.main(o.userId(), asset.id()), true));
        } else if (operation instanceof Operation.Bonus o) {
            return List.of(new Touch(WalletKey.main(o.userId(), asset.id()), true));
        } else if (operation instanceof Operation.Spend o) {
            return List.of(new Touch(WalletKey.main(o.userId(), asset.id()), false));
        } else if (operation instanceof Operation.Transfer o) {
            return List.of(
                    new Touch(WalletKey.main(o.fromUserId(), asset.id()), false),
                    new Touch(WalletKey.main(o.toUserId(), asset.id()), true));
        } else if (operation instanceof Operation.Adjustment o) {
            return List.of(new Touch(WalletKey.main(o.userId(), asset.id()), o.direction() == Direction.CREDIT));
        }
        return originalWallets(original, asset); // a reversal or chargeback
    }

    private static List<Touch> originalWallets(TransactionResult original, AssetDirectory.AssetRow asset) {
        if (original == null) {
            return List.of();
        }
        return original.entries().stream()
                .filter(e -> e.walletKind() == WalletKind.USER)
                .map(e -> new Touch(WalletKey.main(e.owner(), asset.id()), false))
                .toList();
    }

    /** Plans one operation, or returns the refusal that stops it (nothing is changed then). */
    WalletException add(int index, Operation operation, AssetDirectory.AssetRow asset, String actor) {
        Original original = null;
        UUID reverses = null;
        if (operation instanceof Operation.Reversal r) {
            reverses = r.transactionId();
            original = originals.get(reverses);
        } else if (operation instanceof Operation.Chargeback c) {
            reverses = c.transactionId();
            original = originals.get(reverses);
        }
        long amount;
        List<Leg> legs;
        boolean debtAllowed = false;
        if (operation instanceof Operation.TopUp o) {
            amount = o.amount();
            legs = credit(WalletKey.main(o.userId(), asset.id()), asset, SystemWallet.TREASURY, amount);
        } else if (operation instanceof Operation.Bonus o) {
            amount = o.amount();
            legs = credit(WalletKey.main(o.userId(), asset.id()), asset, SystemWallet.BONUS_POOL, amount);
        } else if (operation instanceof Operation.Spend o) {
            amount = o.amount();
            legs = debit(WalletKey.main(o.userId(), asset.id()), asset, SystemWallet.REVENUE, amount);
        } else if (operation instanceof Operation.Transfer o) {
            amount = o.amount();
            legs = List.of(
                    Leg.user(WalletKey.main(o.fromUserId(), asset.id()), Direction.DEBIT, amount),
                    Leg.user(WalletKey.main(o.toUserId(), asset.id()), Direction.CREDIT, amount));
        } else if (operation instanceof Operation.Adjustment o) {
            amount = o.amount();
            WalletKey user = WalletKey.main(o.userId(), asset.id());
            legs = o.direction() == Direction.CREDIT
                    ? credit(user, asset, SystemWallet.ADJUSTMENTS, amount)
                    : debit(user, asset, SystemWallet.ADJUSTMENTS, amount);
        } else if (operation instanceof Operation.Reversal o) {
            WalletException refused = takeBackRefusal(operation, original, o.amount());
            if (refused != null) {
                return refused;
            }
            amount = o.amount().orElse(remaining(original));
            legs = mirror(original.transaction, asset, amount);
        } else {
            Operation.Chargeback o = (Operation.Chargeback) operation;
            WalletException refused = takeBackRefusal(operation, original, o.amount());
            if (refused != null) {
                return refused;
            }
            amount = o.amount().orElse(remaining(original));
            WalletKey user = WalletKey.main(original.transaction.userId(), asset.id());
            LockedWallet wallet = wallets.get(user);
            Invariants.require(wallet != null, "a chargeback's user wallet exists and is locked");
            long recovered = Math.max(0, Math.min(amount, wallet.balance));
            legs = new ArrayList<>();
            if (o.policy() == ChargebackPolicy.DEBT) {
                debtAllowed = true;
                legs.add(Leg.user(user, Direction.DEBIT, amount));
            } else {
                legs.add(Leg.user(user, Direction.DEBIT, recovered)); // zero when nothing can be recovered
            }
            legs.add(Leg.system(asset, SystemWallet.TREASURY, Direction.CREDIT, amount));
            if (o.policy() == ChargebackPolicy.WRITE_OFF && amount > recovered) {
                legs.add(Leg.system(asset, SystemWallet.CHARGEBACK_LOSS, Direction.DEBIT, amount - recovered));
            }
        }
        WalletException refused = check(legs, asset.asset().code(), debtAllowed);
        if (refused != null) {
            return refused;
        }
        if (original != null) {
            original.taken += amount;
        }
        post(index, operation, asset, amount, reverses, legs, actor);
        return null;
    }

    private static List<Leg> credit(WalletKey user, AssetDirectory.AssetRow asset, SystemWallet from, long amount) {
        return List.of(Leg.user(user, Direction.CREDIT, amount), Leg.system(asset, from, Direction.DEBIT, amount));
    }

    private static List<Leg> debit(WalletKey user, AssetDirectory.AssetRow asset, SystemWallet to, long amount) {
        return List.of(Leg.user(user, Direction.DEBIT, amount), Leg.system(asset, to, Direction.CREDIT, amount));
    }

    /** A reversal's legs: the original's postings, each direction flipped, scaled to {@code amount}. */
    private static List<Leg> mirror(TransactionResult original, AssetDirectory.AssetRow asset, long amount) {
        List<Leg> legs = new ArrayList<>();
        for (Entry entry : original.entries()) {
            // Every reversible type posts its whole amount on each of its two wallets: scaling is exact.
            Invariants.require(
                    entry.amount() == original.amount(), "each posting of a reversible transaction is its amount");
            Direction flipped = entry.direction() == Direction.CREDIT ? Direction.DEBIT : Direction.CREDIT;
            legs.add(
                    entry.walletKind() == WalletKind.USER
                            ? Leg.user(WalletKey.main(entry.owner(), asset.id()), flipped, amount)
                            : new Leg(null, entry.walletId(), entry.owner(), flipped, amount));
        }
        return legs;
    }

    private static long remaining(Original original) {
        return original.transaction.amount() - original.taken;
    }

    /** Why a reversal or chargeback of {@code original} cannot be planned, or null when it can. */
    private static WalletException takeBackRefusal(Operation operation, Original original, OptionalLong amount) {
        UUID id = operation instanceof Operation.Reversal r
                ? r.transactionId()
                : ((Operation.Chargeback) operation).transactionId();
        Invariants.require(original != null, "an unknown original was refused before the locks");
        OperationType type = original.transaction.type();
        if (type.takesBack()) {
            return WalletException.of(
                    ErrorCode.NOT_REVERSIBLE,
                    "transaction " + id + " is a " + type.name().toLowerCase(java.util.Locale.ROOT)
                            + ", which cannot be reversed or charged back",
                    Map.of("transaction_id", id.toString(), "type", type.name()));
        }
        if (operation instanceof Operation.Chargeback && type != OperationType.TOPUP) {
            return WalletException.of(
                    ErrorCode.NOT_REVERSIBLE,
                    "transaction " + id + " is a " + type.name().toLowerCase(java.util.Locale.ROOT)
                            + "; only a top-up can be charged back",
                    Map.of("transaction_id", id.toString(), "type", type.name()));
        }
        long remaining = remaining(original);
        if (remaining == 0 || (amount.isPresent() && amount.getAsLong() > remaining)) {
            return WalletException.of(
                    ErrorCode.REVERSAL_EXCEEDS_ORIGINAL,
                    remaining == 0
                            ? "transaction " + id + " has been taken back in full"
                            : "only " + remaining + " of transaction " + id + " remains to take back",
                    Map.of("transaction_id", id.toString(), "remaining", remaining));
        }
        return null;
    }

    /** The refusal the legs meet on the locked balances, or null: nothing is changed here. */
    private WalletException check(List<Leg> legs, String assetCode, boolean debtAllowed) {
        for (Leg leg : legs) {
            if (leg.user == null) {
                continue;
            }
            LockedWallet wallet = wallets.get(leg.user);
            if (wallet == null) {
                Invariants.require(leg.direction == Direction.DEBIT, "a credited wallet was created before the locks");
                return WalletException.of(
                        ErrorCode.WALLET_NOT_FOUND,
                        "user " + leg.user.owner() + " has no " + assetCode + " wallet",
                        Map.of("user_id", leg.user.owner(), "asset_code", assetCode));
            }
            if (leg.direction == Direction.CREDIT && wallet.balance > Long.MAX_VALUE - leg.amount) {
                return WalletException.of(
                        ErrorCode.BALANCE_OVERFLOW,
                        "crediting " + leg.amount + " would take the balance past " + Long.MAX_VALUE,
                        Map.of("balance", wallet.balance, "amount", leg.amount));
            }
            if (leg.direction == Direction.DEBIT && !debtAllowed && leg.amount > 0 && wallet.balance < leg.amount) {
                return WalletException.of(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        "balance " + wallet.balance + " is less than the amount " + leg.amount,
                        Map.of("balance", wallet.balance, "amount", leg.amount));
            }
            if (leg.direction == Direction.DEBIT && wallet.balance - leg.amount < -Operation.AMOUNT_MAX * 1000) {
                return WalletException.of(
                        ErrorCode.BALANCE_OVERFLOW,
                        "debiting " + leg.amount + " would take the balance too far below zero",
                        Map.of("balance", wallet.balance, "amount", leg.amount));
            }
        }
        return null;
    }

    /** Prices the checked legs into entries, moves the wallets, and chains each USER wallet. */
    private void post(
            int index,
            Operation operation,
            AssetDirectory.AssetRow asset,
            long amount,
            UUID reverses,
            List<Leg> legs,
            String actor) {
        long debits = 0;
        long credits = 0;
        Map<Long, Boolean> seen = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>(legs.size());
        List<LockedWallet> users = new ArrayList<>(legs.size());
        for (Leg leg : legs) {
            if (leg.direction == Direction.DEBIT) {
                debits += leg.amount;
            } else {
                credits += leg.amount;
            }
            if (leg.user == null) {
                entries.add(new Entry(
                        leg.systemWallet,
                        WalletKind.SYSTEM,
                        leg.role,
                        leg.direction,
                        leg.amount,
                        OptionalLong.empty()));
                users.add(null);
                Invariants.require(seen.put(leg.systemWallet, true) == null, "a wallet appears once in a transaction");
                continue;
            }
            LockedWallet wallet = wallets.get(leg.user);
            Invariants.require(seen.put(wallet.id, true) == null, "a wallet appears once in a transaction");
            wallet.balance += leg.direction == Direction.CREDIT ? leg.amount : -leg.amount;
            wallet.touched = true;
            entries.add(new Entry(
                    wallet.id,
                    WalletKind.USER,
                    leg.user.owner(),
                    leg.direction,
                    leg.amount,
                    OptionalLong.of(wallet.balance)));
            users.add(wallet);
        }
        Invariants.require(
                legs.size() >= 2
                        && debits == credits
                        && debits == amount
                        && users.stream().anyMatch(w -> w != null),
                "a transaction is two or more balanced postings summing to its amount, with a USER posting");
        UUID id = newTransactionId();
        byte[] content =
                Chain.content(id, operation, asset.asset().code(), amount, reverses, createdAt, actor, entries);
        List<byte[]> links = new ArrayList<>(entries.size());
        for (LockedWallet wallet : users) {
            if (wallet == null) {
                links.add(null);
            } else {
                wallet.head = Chain.link(wallet.head, wallet.id, content);
                links.add(wallet.head);
            }
        }
        planned.add(new Planned(
                index,
                id,
                operation,
                asset,
                amount,
                reverses,
                List.copyOf(entries),
                links,
                Idempotency.fingerprintHex(operation),
                actor));
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
