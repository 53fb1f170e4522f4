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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, in memory and in order, what each operation does to the locked USER accounts: the pure heart of
 * a write. Every operation becomes a list of legs (postings before pricing) that balance; the legs are
 * checked against the locked balances, priced into entries with each USER account's balance after, and
 * chained. Which legs a type makes is one {@link Operation.Visitor}; which account a leg posts to is
 * {@link Accounts}'. Knows nothing of SQL: {@link WriteEngine} feeds it the locked accounts and writes what
 * it planned.
 */
final class Plan {
    /** A USER account by owner, asset and account. */
    record WalletKey(String owner, int assetId, String account) {}

    /** A user's wallet in one asset, all its accounts: what a write locks (through its {@code main} account). */
    record Holder(String owner, int assetId) {
        WalletKey main() {
            return new WalletKey(owner, assetId, Accounts.MAIN);
        }
    }

    /** A locked USER account; {@code balance} and {@code head} move as operations are planned. */
    static final class LockedWallet {
        final long id;
        final WalletKey key;
        long balance;
        byte[] head;
        boolean touched;

        LockedWallet(long id, WalletKey key, long balance, byte[] head) {
            this.id = id;
            this.key = key;
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

    /** A USER account an operation posts to, and whether it credits it (then it is created if missing). */
    record Touch(WalletKey key, boolean credited) {
        Holder holder() {
            return new Holder(key.owner(), key.assetId());
        }
    }

    /** One posting before pricing: a USER account by key, or a SYSTEM wallet by id. */
    private record Leg(WalletKey user, long systemWallet, String role, Direction direction, long amount) {
        static Leg user(WalletKey key, Direction direction, long amount) {
            return new Leg(key, 0, null, direction, amount);
        }

        static Leg system(AssetDirectory.AssetRow asset, SystemWallet role, Direction direction, long amount) {
            return new Leg(null, asset.systemWallet(role), role.name(), direction, amount);
        }
    }

    /** What an operation does, once decided: its amount and legs, or the refusal that stops it. */
    private record Decision(long amount, List<Leg> legs, boolean debtAllowed, WalletException refusal) {
        static Decision of(long amount, List<Leg> legs) {
            return new Decision(amount, legs, false, null);
        }

        static Decision refused(WalletException refusal) {
            return new Decision(0, List.of(), false, refusal);
        }
    }

    /** One planned transaction: its entries, subject first, each USER entry's chain link, each user's balance. */
    record Planned(
            int index,
            UUID transactionId,
            Operation operation,
            AssetDirectory.AssetRow asset,
            long amount,
            UUID reverses,
            List<Entry> entries,
            List<byte[]> links,
            Map<String, Long> balances,
            String fingerprintHex,
            String actor) {}

    private final Map<WalletKey, LockedWallet> wallets;
    private final Map<Holder, List<LockedWallet>> byHolder = new LinkedHashMap<>();
    private final Map<UUID, Original> originals;
    private final Instant createdAt;
    private final Accounts accounts;
    private final List<Planned> planned = new ArrayList<>();

    /**
     * {@code wallets}: every account of every holder the operations touch, locked. {@code createdAt}: the
     * transactions' timestamp, which the database will also store. {@code originals}: the transactions that
     * reversals and chargebacks take back, by id.
     */
    Plan(Map<WalletKey, LockedWallet> wallets, Map<UUID, Original> originals, Instant createdAt, Accounts accounts) {
        this.wallets = wallets;
        this.originals = originals;
        this.createdAt = createdAt;
        this.accounts = accounts;
        for (LockedWallet wallet : wallets.values()) {
            byHolder.computeIfAbsent(new Holder(wallet.key.owner(), wallet.key.assetId()), h -> new ArrayList<>())
                    .add(wallet);
        }
    }

    Instant createdAt() {
        return createdAt;
    }

    /**
     * The USER accounts an operation posts to, to be created (credited ones) and locked, with every other
     * account of their holders, before it is planned. {@code original} is the transaction a reversal or
     * chargeback takes back (null for the others, or when it was not found: then it touches none).
     */
    static List<Touch> touches(
            Operation operation, AssetDirectory.AssetRow asset, TransactionResult original, Accounts accounts) {
        int assetId = asset.id();
        return operation.accept(new Operation.Visitor<List<Touch>>() {
            @Override
            public List<Touch> topUp(Operation.TopUp o) {
                return List.of(credit(o, o.userId()));
            }

            @Override
            public List<Touch> bonus(Operation.Bonus o) {
                return List.of(credit(o, o.userId()));
            }

            @Override
            public List<Touch> spend(Operation.Spend o) {
                return List.of(debit(o, o.userId()));
            }

            @Override
            public List<Touch> transfer(Operation.Transfer o) {
                return List.of(debit(o, o.fromUserId()), credit(o, o.toUserId()));
            }

            @Override
            public List<Touch> reversal(Operation.Reversal o) {
                return originalAccounts();
            }

            @Override
            public List<Touch> chargeback(Operation.Chargeback o) {
                return originalAccounts();
            }

            @Override
            public List<Touch> adjustment(Operation.Adjustment o) {
                return List.of(o.direction() == Direction.CREDIT ? credit(o, o.userId()) : debit(o, o.userId()));
            }

            private Touch credit(Operation o, String owner) {
                return new Touch(new WalletKey(owner, assetId, accounts.credited(o, owner)), true);
            }

            private Touch debit(Operation o, String owner) {
                return new Touch(new WalletKey(owner, assetId, accounts.debited(o, owner)), false);
            }

            /** The accounts the original posted to: they exist, and a take-back posts to them again. */
            private List<Touch> originalAccounts() {
                if (original == null) {
                    return List.of();
                }
                return original.entries().stream()
                        .filter(e -> e.walletKind() == WalletKind.USER)
                        .map(e -> new Touch(new WalletKey(e.owner(), assetId, e.account()), false))
                        .toList();
            }
        });
    }

    /** Plans one operation, or returns the refusal that stops it (nothing is changed then). */
    WalletException add(int index, Operation operation, AssetDirectory.AssetRow asset, String actor) {
        Original original = operation.original().map(originals::get).orElse(null);
        Decision decision = operation.accept(new Legs(asset, original));
        if (decision.refusal() != null) {
            return decision.refusal();
        }
        WalletException refused = check(decision.legs(), asset.asset().code(), decision.debtAllowed());
        if (refused != null) {
            return refused;
        }
        if (original != null) {
            original.taken += decision.amount();
        }
        post(index, operation, asset, decision.amount(), operation.original().orElse(null), decision.legs(), actor);
        return null;
    }

    /** The legs of each type of operation, on the locked balances. */
    private final class Legs implements Operation.Visitor<Decision> {
        private final AssetDirectory.AssetRow asset;
        private final Original original;

        Legs(AssetDirectory.AssetRow asset, Original original) {
            this.asset = asset;
            this.original = original;
        }

        @Override
        public Decision topUp(Operation.TopUp o) {
            return Decision.of(o.amount(), credit(o, o.userId(), SystemWallet.TREASURY, o.amount()));
        }

        @Override
        public Decision bonus(Operation.Bonus o) {
            return Decision.of(o.amount(), credit(o, o.userId(), SystemWallet.BONUS_POOL, o.amount()));
        }

        @Override
        public Decision spend(Operation.Spend o) {
            return Decision.of(o.amount(), debit(o, o.userId(), SystemWallet.REVENUE, o.amount()));
        }

        @Override
        public Decision transfer(Operation.Transfer o) {
            return Decision.of(
                    o.amount(),
                    List.of(
                            Leg.user(
                                    key(o.fromUserId(), accounts.debited(o, o.fromUserId())),
                                    Direction.DEBIT,
                                    o.amount()),
                            Leg.user(
                                    key(o.toUserId(), accounts.credited(o, o.toUserId())),
                                    Direction.CREDIT,
                                    o.amount())));
        }

        @Override
        public Decision adjustment(Operation.Adjustment o) {
            return Decision.of(
                    o.amount(),
                    o.direction() == Direction.CREDIT
                            ? credit(o, o.userId(), SystemWallet.ADJUSTMENTS, o.amount())
                            : debit(o, o.userId(), SystemWallet.ADJUSTMENTS, o.amount()));
        }

        @Override
        public Decision reversal(Operation.Reversal o) {
            WalletException refused = takeBackRefusal(o, o.transactionId(), original, o.amount());
            if (refused != null) {
                return Decision.refused(refused);
            }
            long amount = o.amount().orElse(remaining(original));
            return Decision.of(amount, mirror(original.transaction, amount));
        }

        @Override
        public Decision chargeback(Operation.Chargeback o) {
            WalletException refused = takeBackRefusal(o, o.transactionId(), original, o.amount());
            if (refused != null) {
                return Decision.refused(refused);
            }
            long amount = o.amount().orElse(remaining(original));
            Entry charged = original.transaction.subject();
            WalletKey user = key(charged.owner(), charged.account());
            LockedWallet wallet = wallets.get(user);
            Invariants.require(wallet != null, "a chargeback's user account exists and is locked");
            long recovered = Math.max(0, Math.min(amount, wallet.balance));
            List<Leg> legs = new ArrayList<>();
            boolean debt = o.policy() == ChargebackPolicy.DEBT;
            // Under debt the whole amount is debited (the balance goes negative); a write-off debits what the
            // user has, zero when nothing can be recovered, and books the rest to CHARGEBACK_LOSS.
            legs.add(Leg.user(user, Direction.DEBIT, debt ? amount : recovered));
            legs.add(Leg.system(asset, SystemWallet.TREASURY, Direction.CREDIT, amount));
            if (!debt && amount > recovered) {
                legs.add(Leg.system(asset, SystemWallet.CHARGEBACK_LOSS, Direction.DEBIT, amount - recovered));
            }
            return new Decision(amount, legs, debt, null);
        }

        private WalletKey key(String owner, String account) {
            return new WalletKey(owner, asset.id(), account);
        }

        private List<Leg> credit(Operation o, String owner, SystemWallet from, long amount) {
            return List.of(
                    Leg.user(key(owner, accounts.credited(o, owner)), Direction.CREDIT, amount),
                    Leg.system(asset, from, Direction.DEBIT, amount));
        }

        private List<Leg> debit(Operation o, String owner, SystemWallet to, long amount) {
            return List.of(
                    Leg.user(key(owner, accounts.debited(o, owner)), Direction.DEBIT, amount),
                    Leg.system(asset, to, Direction.CREDIT, amount));
        }

        /**
         * A reversal's legs: the original's postings, each direction flipped, on the same accounts, scaled to
         * {@code amount}.
         */
        private List<Leg> mirror(TransactionResult transaction, long amount) {
            List<Leg> legs = new ArrayList<>();
            for (Entry entry : transaction.entries()) {
                // Every reversible type posts its whole amount on each of its wallets: scaling is exact.
                Invariants.require(
                        entry.amount() == transaction.amount(),
                        "each posting of a reversible transaction is its amount");
                Direction flipped = entry.direction() == Direction.CREDIT ? Direction.DEBIT : Direction.CREDIT;
                legs.add(
                        entry.walletKind() == WalletKind.USER
                                ? Leg.user(key(entry.owner(), entry.account()), flipped, amount)
                                : new Leg(null, entry.walletId(), entry.owner(), flipped, amount));
            }
            return legs;
        }
    }

    private static long remaining(Original original) {
        return original.transaction.amount() - original.taken;
    }

    /** Why a reversal or chargeback of {@code original} cannot be planned, or null when it can. */
    private static WalletException takeBackRefusal(
            Operation operation, UUID id, Original original, OptionalLong amount) {
        Invariants.require(original != null, "an unknown original was refused before the locks");
        OperationType type = original.transaction.type();
        if (type.takesBack()) {
            return WalletException.of(
                    ErrorCode.NOT_REVERSIBLE,
                    "transaction " + id + " is a " + type.name().toLowerCase(Locale.ROOT)
                            + ", which cannot be reversed or charged back",
                    Map.of("transaction_id", id.toString(), "type", type.name()));
        }
        if (operation.type() == OperationType.CHARGEBACK && type != OperationType.TOPUP) {
            return WalletException.of(
                    ErrorCode.NOT_REVERSIBLE,
                    "transaction " + id + " is a " + type.name().toLowerCase(Locale.ROOT)
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
                Invariants.require(leg.direction == Direction.DEBIT, "a credited account was created before the locks");
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

    /** Prices the checked legs into entries, moves the accounts, and chains each USER account. */
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
        Set<Long> seen = new HashSet<>();
        List<Entry> entries = new ArrayList<>(legs.size());
        List<LockedWallet> users = new ArrayList<>(legs.size());
        Map<String, Long> balances = new LinkedHashMap<>();
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
                        Accounts.MAIN,
                        leg.direction,
                        leg.amount,
                        OptionalLong.empty()));
                users.add(null);
                Invariants.require(seen.add(leg.systemWallet), "a wallet appears once in a transaction");
                continue;
            }
            LockedWallet wallet = wallets.get(leg.user);
            Invariants.require(seen.add(wallet.id), "a wallet appears once in a transaction");
            wallet.balance += leg.direction == Direction.CREDIT ? leg.amount : -leg.amount;
            wallet.touched = true;
            entries.add(new Entry(
                    wallet.id,
                    WalletKind.USER,
                    leg.user.owner(),
                    leg.user.account(),
                    leg.direction,
                    leg.amount,
                    OptionalLong.of(wallet.balance)));
            users.add(wallet);
            balances.putIfAbsent(leg.user.owner(), 0L);
        }
        Invariants.require(
                legs.size() >= 2
                        && debits == credits
                        && debits == amount
                        && users.stream().anyMatch(w -> w != null),
                "a transaction is two or more balanced postings summing to its amount, with a USER posting");
        balances.replaceAll((owner, none) -> accounts.balance(byHolder.get(new Holder(owner, asset.id()))));
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
                balances,
                Idempotency.fingerprintHex(operation),
                actor));
    }

    List<Planned> planned() {
        return planned;
    }

    /** The accounts an operation was planned on (new balance and chain head), in id order. */
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
