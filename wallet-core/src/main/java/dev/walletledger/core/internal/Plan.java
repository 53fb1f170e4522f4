package dev.walletledger.core.internal;

import dev.walletledger.core.ChargebackPolicy;
import dev.walletledger.core.Direction;
import dev.walletledger.core.Entry;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.Hold;
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

    /**
     * A hold as read under the lock of its wallet (or created by this plan), moved as operations are planned:
     * what {@code ledger_holds} will hold once the write commits.
     */
    static final class HoldState {
        final UUID id;
        final String referenceId;
        final Holder holder;
        final long amount;
        final Instant expiresAt;
        final Instant createdAt;
        final boolean created;
        long captured;
        long released;
        Hold.Status status;
        Instant closedAt;
        boolean moved;

        HoldState(
                UUID id,
                String referenceId,
                Holder holder,
                long amount,
                long captured,
                long released,
                Hold.Status status,
                Instant expiresAt,
                Instant createdAt,
                Instant closedAt,
                boolean created) {
            this.id = id;
            this.referenceId = referenceId;
            this.holder = holder;
            this.amount = amount;
            this.captured = captured;
            this.released = released;
            this.status = status;
            this.expiresAt = expiresAt;
            this.createdAt = createdAt;
            this.closedAt = closedAt;
            this.created = created;
        }

        long remaining() {
            return amount - captured - released;
        }

        /** Open, and its expiry reached at {@code clock}: what a write releases before anything else. */
        boolean expiredAt(Instant clock) {
            return status == Hold.Status.OPEN && !clock.isBefore(expiresAt);
        }
    }

    /** What a hold operation does to its hold: takes {@code captured} and {@code released} off what remains. */
    private record HoldMove(HoldState hold, long captured, long released, Hold.Status closesAs) {}

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
    private record Decision(long amount, List<Leg> legs, boolean debtAllowed, HoldMove hold, WalletException refusal) {
        static Decision of(long amount, List<Leg> legs) {
            return new Decision(amount, legs, false, null, null);
        }

        static Decision moving(long amount, List<Leg> legs, HoldMove hold) {
            return new Decision(amount, legs, false, hold, null);
        }

        static Decision refused(WalletException refusal) {
            return new Decision(0, List.of(), false, null, refusal);
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
            UUID holdId,
            Long holdRemaining,
            String fingerprintHex,
            String actor) {
        /** What remains of the hold right after, for a hold's transaction; empty for the others. */
        OptionalLong remainingOfHold() {
            return holdRemaining == null ? OptionalLong.empty() : OptionalLong.of(holdRemaining);
        }
    }

    private final Map<WalletKey, LockedWallet> wallets;
    private final Map<Holder, List<LockedWallet>> byHolder = new LinkedHashMap<>();
    private final Map<UUID, Original> originals;
    private final Map<UUID, HoldState> holds;
    private final Instant createdAt;
    private final Accounts accounts;
    private final List<Planned> planned = new ArrayList<>();

    /**
     * {@code wallets}: every account of every holder the operations touch, locked. {@code createdAt}: the
     * transactions' timestamp, which the database will also store. {@code originals}: the transactions that
     * reversals and chargebacks take back, by id. {@code holds}: the holds the operations move, read under the
     * locks, by id (holds this plan creates join them).
     */
    Plan(
            Map<WalletKey, LockedWallet> wallets,
            Map<UUID, Original> originals,
            Map<UUID, HoldState> holds,
            Instant createdAt,
            Accounts accounts) {
        this.wallets = wallets;
        this.originals = originals;
        this.holds = holds;
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
            Operation operation,
            AssetDirectory.AssetRow asset,
            TransactionResult original,
            Holder holder,
            Accounts accounts) {
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

            @Override
            public List<Touch> hold(Operation.Hold o) {
                return List.of(
                        new Touch(new WalletKey(o.userId(), assetId, Accounts.MAIN), false),
                        new Touch(new WalletKey(o.userId(), assetId, Accounts.HELD), true));
            }

            @Override
            public List<Touch> capture(Operation.Capture o) {
                return heldAndMain();
            }

            @Override
            public List<Touch> voidHold(Operation.VoidHold o) {
                return heldAndMain();
            }

            @Override
            public List<Touch> expiry(Operation.Expiry o) {
                return heldAndMain();
            }

            /** The hold's wallet: its held account, and main for what is released (both exist). */
            private List<Touch> heldAndMain() {
                if (holder == null) {
                    return List.of();
                }
                return List.of(
                        new Touch(new WalletKey(holder.owner(), assetId, Accounts.HELD), false),
                        new Touch(holder.main(), false));
            }

            private Touch credit(Operation o, String owner) {
                return new Touch(new WalletKey(owner, assetId, accounts.credited(o, owner)), true);
            }

            private Touch debit(Operation o, String owner) {
                return new Touch(new WalletKey(owner, assetId, accounts.debited(o, owner)), false);
            }

            /**
             * The accounts the original posted to: they exist, and a take-back posts to them again (a capture's
             * reversal refunds to the main account, not into the hold).
             */
            private List<Touch> originalAccounts() {
                if (original == null) {
                    return List.of();
                }
                return original.entries().stream()
                        .filter(e -> e.walletKind() == WalletKind.USER)
                        .map(e -> new Touch(new WalletKey(e.owner(), assetId, mirrored(e.account())), false))
                        .distinct()
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
        UUID id = newTransactionId();
        HoldState hold = moveHold(id, operation, asset, decision.hold());
        post(
                index,
                id,
                operation,
                asset,
                decision.amount(),
                operation.original().orElse(null),
                decision.legs(),
                hold,
                actor);
        return null;
    }

    /** The hold an operation moves, moved: a new one for a hold, else its state less what was taken off. */
    private HoldState moveHold(UUID id, Operation operation, AssetDirectory.AssetRow asset, HoldMove move) {
        if (operation instanceof Operation.Hold o) {
            HoldState created = new HoldState(
                    id,
                    o.referenceId(),
                    new Holder(o.userId(), asset.id()),
                    o.amount(),
                    0,
                    0,
                    Hold.Status.OPEN,
                    o.expiresAt(createdAt),
                    createdAt,
                    null,
                    true);
            holds.put(id, created);
            return created;
        }
        if (move == null) {
            return null;
        }
        HoldState hold = move.hold();
        hold.captured += move.captured();
        hold.released += move.released();
        hold.moved = true;
        if (hold.remaining() == 0) {
            hold.status = move.closesAs();
            hold.closedAt = createdAt;
        }
        return hold;
    }

    /** The account a take-back posts to for one the original posted to: a hold's coins come back to main. */
    static String mirrored(String account) {
        return account.equals(Accounts.HELD) ? Accounts.MAIN : account;
    }

    /** The expired open holds among those read: their expiries come first in the write. */
    List<HoldState> expired() {
        return holds.values().stream().filter(h -> h.expiredAt(createdAt)).toList();
    }

    /** The holds this plan created or moved: what the write inserts into and updates in ledger_holds. */
    List<HoldState> changedHolds(boolean created) {
        return holds.values().stream()
                .filter(h -> h.created == created && (created || h.moved))
                .toList();
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
            if (original.transaction.type() == OperationType.CAPTURE) {
                return Decision.of(amount, refund(original.transaction, amount));
            }
            return Decision.of(amount, mirror(original.transaction, amount));
        }

        @Override
        public Decision hold(Operation.Hold o) {
            return Decision.of(
                    o.amount(),
                    List.of(
                            Leg.user(key(o.userId(), Accounts.MAIN), Direction.DEBIT, o.amount()),
                            Leg.user(key(o.userId(), Accounts.HELD), Direction.CREDIT, o.amount())));
        }

        @Override
        public Decision capture(Operation.Capture o) {
            HoldState hold = heldState(o);
            if (!createdAt.isBefore(hold.expiresAt)
                    && hold.status != Hold.Status.CAPTURED
                    && hold.status != Hold.Status.VOIDED) {
                return Decision.refused(WalletException.of(
                        ErrorCode.HOLD_EXPIRED,
                        "hold " + hold.id + " expired at " + hold.expiresAt + "; it can no longer be captured",
                        Map.of("hold_id", hold.id.toString(), "expires_at", hold.expiresAt.toString())));
            }
            WalletException closed = closedRefusal(hold);
            if (closed != null) {
                return Decision.refused(closed);
            }
            long captured = o.amount().orElse(hold.remaining());
            if (captured > hold.remaining()) {
                return Decision.refused(WalletException.of(
                        ErrorCode.HOLD_AMOUNT_EXCEEDED,
                        "only " + hold.remaining() + " of hold " + hold.id + " remains to capture",
                        Map.of("hold_id", hold.id.toString(), "remaining", hold.remaining(), "amount", captured)));
            }
            long released = o.finalCapture() ? hold.remaining() - captured : 0;
            List<Leg> legs = new ArrayList<>();
            legs.add(Leg.user(key(hold.holder.owner(), Accounts.HELD), Direction.DEBIT, captured + released));
            legs.add(Leg.system(asset, SystemWallet.REVENUE, Direction.CREDIT, captured));
            if (released > 0) {
                legs.add(Leg.user(key(hold.holder.owner(), Accounts.MAIN), Direction.CREDIT, released));
            }
            return Decision.moving(
                    captured + released, legs, new HoldMove(hold, captured, released, Hold.Status.CAPTURED));
        }

        @Override
        public Decision voidHold(Operation.VoidHold o) {
            HoldState hold = heldState(o);
            WalletException closed = closedRefusal(hold);
            return closed != null ? Decision.refused(closed) : release(hold, Hold.Status.VOIDED);
        }

        @Override
        public Decision expiry(Operation.Expiry o) {
            HoldState hold = heldState(o);
            Invariants.require(hold.expiredAt(createdAt), "an expiry is planned for an open hold past its expiry");
            return release(hold, Hold.Status.EXPIRED);
        }

        private HoldState heldState(Operation o) {
            HoldState hold = holds.get(o.heldBy().orElseThrow());
            Invariants.require(hold != null, "a hold found before the locks is read under them");
            return hold;
        }

        /** What remains of the hold, back to the balance. */
        private Decision release(HoldState hold, Hold.Status closesAs) {
            long remaining = hold.remaining();
            return Decision.moving(
                    remaining,
                    List.of(
                            Leg.user(key(hold.holder.owner(), Accounts.HELD), Direction.DEBIT, remaining),
                            Leg.user(key(hold.holder.owner(), Accounts.MAIN), Direction.CREDIT, remaining)),
                    new HoldMove(hold, 0, remaining, closesAs));
        }

        /** A capture's reversal: REVENUE gives the captured coins back to the user's balance (never the hold). */
        private List<Leg> refund(TransactionResult capture, long amount) {
            Entry revenue = capture.entries().stream()
                    .filter(e -> e.walletKind() == WalletKind.SYSTEM)
                    .findFirst()
                    .orElseThrow();
            return List.of(
                    new Leg(null, revenue.walletId(), revenue.owner(), Direction.DEBIT, amount),
                    Leg.user(key(capture.userId(), Accounts.MAIN), Direction.CREDIT, amount));
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
            return new Decision(amount, legs, debt, null, null);
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
        return original.transaction.reversibleBase() - original.taken;
    }

    /** The refusal a move of a closed hold meets, or null while it is open. */
    private static WalletException closedRefusal(HoldState hold) {
        if (hold.status == Hold.Status.OPEN) {
            return null;
        }
        return WalletException.of(
                ErrorCode.HOLD_CLOSED,
                "hold " + hold.id + " is " + hold.status.wireName(),
                Map.of("hold_id", hold.id.toString(), "status", hold.status.name()));
    }

    /** Why a reversal or chargeback of {@code original} cannot be planned, or null when it can. */
    private static WalletException takeBackRefusal(
            Operation operation, UUID id, Original original, OptionalLong amount) {
        Invariants.require(original != null, "an unknown original was refused before the locks");
        OperationType type = original.transaction.type();
        if (!type.reversible()) {
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
            UUID id,
            Operation operation,
            AssetDirectory.AssetRow asset,
            long amount,
            UUID reverses,
            List<Leg> legs,
            HoldState hold,
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
                hold == null ? null : hold.id,
                hold == null ? null : hold.remaining(),
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
