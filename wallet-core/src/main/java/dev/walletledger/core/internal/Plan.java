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
import dev.walletledger.core.WalletStatus;
import java.time.Instant;
import java.time.LocalDate;
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
        // The controls in force (a main account's; the others' are always these defaults), and the day's spend.
        WalletStatus status = WalletStatus.ACTIVE;
        Long maxBalance;
        Long dailySpendLimit;
        LocalDate spentOn;
        long spent;
        /** Whether this plan moved the day's spend count: the write updates the account then, posted to or not. */
        boolean counted;

        LockedWallet(long id, WalletKey key, long balance, byte[] head) {
            this.id = id;
            this.key = key;
            this.balance = balance;
            this.head = head;
        }

        void controls(WalletStatus status, Long maxBalance, Long dailySpendLimit, LocalDate spentOn, long spent) {
            this.status = status;
            this.maxBalance = maxBalance;
            this.dailySpendLimit = dailySpendLimit;
            this.spentOn = spentOn;
            this.spent = spent;
        }

        /** What counts against the daily spend limit on {@code day}. */
        long spentOn(LocalDate day) {
            return day.equals(spentOn) ? spent : 0;
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
        /** Where the hold's coins came from, in the order it took them: captures and releases use them in order. */
        final List<Portion> portions;

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
                boolean created,
                List<Portion> portions) {
            this.id = id;
            this.portions = List.copyOf(portions);
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
                // The receiver's lots are those of the coins it is sent, created under the locks (WriteEngine).
                return List.of(
                        debit(o, o.fromUserId()), new Touch(new WalletKey(o.toUserId(), assetId, Accounts.MAIN), true));
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

            @Override
            public List<Touch> lotExpiry(Operation.LotExpiry o) {
                return List.of(new Touch(new WalletKey(o.userId(), assetId, o.account()), false));
            }

            @Override
            public List<Touch> lotSplit(Operation.LotSplit o) {
                return List.of(
                        new Touch(new WalletKey(o.userId(), assetId, Accounts.MAIN), false),
                        new Touch(new WalletKey(o.userId(), assetId, Accounts.FREE), true));
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
                return new Touch(new WalletKey(owner, assetId, accounts.credited(o)), true);
            }

            /** A debit takes lots by the spend order, decided under the locks: the wallet is locked whole. */
            private Touch debit(Operation o, String owner) {
                return new Touch(new WalletKey(owner, assetId, Accounts.MAIN), false);
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
        Controls.Count count = Controls.check(operation.type(), net(decision.legs()), asset, wallets, createdAt);
        if (count.refusal() != null) {
            return count.refusal();
        }
        WalletException refused = check(decision.legs(), asset.asset().code(), decision.debtAllowed());
        if (refused != null) {
            return refused;
        }
        count.apply(createdAt);
        if (original != null) {
            original.taken += decision.amount();
        }
        UUID id = newTransactionId();
        HoldState hold = moveHold(id, operation, asset, decision.hold(), decision.legs());
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

    /**
     * What the legs move per user, in the order of their first leg: credits less debits, held coins aside (a hold
     * takes coins from the user's lots to the user's held account: for controls, it takes them out).
     */
    private static Map<String, Long> net(List<Leg> legs) {
        Map<String, Long> net = new LinkedHashMap<>();
        for (Leg leg : legs) {
            if (leg.user != null) {
                // Every user touched is checked, a held account's legs moving nothing: a capture touches only the
                // held account, and a closed wallet refuses it all the same.
                long moved = leg.user.account().equals(Accounts.HELD)
                        ? 0
                        : leg.direction == Direction.CREDIT ? leg.amount : -leg.amount;
                net.merge(leg.user.owner(), moved, Long::sum);
            }
        }
        return net;
    }

    /** The hold an operation moves, moved: a new one for a hold, else its state less what was taken off. */
    private HoldState moveHold(
            UUID id, Operation operation, AssetDirectory.AssetRow asset, HoldMove move, List<Leg> legs) {
        if (operation instanceof Operation.Hold o) {
            List<Portion> portions = new ArrayList<>();
            for (Leg leg : legs) {
                if (leg.user != null && leg.direction == Direction.DEBIT && Lots.isLot(leg.user.account())) {
                    portions.add(new Portion(leg.user.account(), leg.amount));
                }
            }
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
                    true,
                    portions);
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

    /** The locked lots past their expiry that still hold coins: their expiries come right after the holds'. */
    List<LockedWallet> expiredLots() {
        return wallets.values().stream()
                .filter(w -> Lots.isLot(w.key.account()) && w.balance > 0 && Lots.expiredAt(w.key.account(), createdAt))
                .sorted((a, b) -> Long.compare(a.id, b.id))
                .toList();
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

    /** Coins of one lot: an account of the wallet and an amount (a hold's record of where its coins came from). */
    record Portion(String account, long amount) {}

    /** {@code length} coins of {@code portions} from {@code from} on, in order. */
    static List<Portion> slice(List<Portion> portions, long from, long length) {
        List<Portion> slice = new ArrayList<>();
        long skip = from;
        long left = length;
        for (Portion portion : portions) {
            if (left == 0) {
                break;
            }
            long usable = portion.amount() - Math.min(skip, portion.amount());
            skip -= Math.min(skip, portion.amount());
            long taken = Math.min(usable, left);
            if (taken > 0) {
                slice.add(new Portion(portion.account(), taken));
                left -= taken;
            }
        }
        Invariants.require(left == 0, "a slice lies within its portions");
        return slice;
    }

    /**
     * Postings being decided for one operation: merged per wallet (a wallet appears once in a transaction), with
     * what each USER account has left once they are applied. USER legs come first, in the order their accounts
     * were first posted to, then the SYSTEM legs.
     */
    private final class Draft {
        private final AssetDirectory.AssetRow asset;
        private final Map<WalletKey, Long> users = new LinkedHashMap<>();
        private final Map<SystemWallet, Long> systems = new LinkedHashMap<>();
        private final Map<Long, Long> byWalletId = new LinkedHashMap<>();
        private final Map<Long, String> roles = new LinkedHashMap<>();

        Draft(AssetDirectory.AssetRow asset) {
            this.asset = asset;
        }

        void user(WalletKey key, Direction direction, long amount) {
            users.merge(key, direction == Direction.CREDIT ? amount : -amount, Long::sum);
        }

        void system(SystemWallet role, Direction direction, long amount) {
            if (amount > 0) {
                systems.merge(role, direction == Direction.CREDIT ? amount : -amount, Long::sum);
            }
        }

        /** A SYSTEM wallet named by its id (an original transaction's). */
        void system(long walletId, String role, Direction direction, long amount) {
            byWalletId.merge(walletId, direction == Direction.CREDIT ? amount : -amount, Long::sum);
            roles.put(walletId, role);
        }

        /** What the account has once these postings are applied (zero for an account that does not exist). */
        long available(WalletKey key) {
            LockedWallet wallet = wallets.get(key);
            return (wallet == null ? 0 : wallet.balance) + users.getOrDefault(key, 0L);
        }

        /** Credits a lot, or BREAKAGE when the lot has expired (no coin returns to an expired lot). */
        void creditLot(WalletKey key, long amount) {
            if (Lots.expiredAt(key.account(), createdAt)) {
                system(SystemWallet.BREAKAGE, Direction.CREDIT, amount);
            } else {
                user(key, Direction.CREDIT, amount);
            }
        }

        boolean postsToUser() {
            return users.values().stream().anyMatch(v -> v != 0);
        }

        List<Leg> legs() {
            List<Leg> legs = new ArrayList<>();
            users.forEach((key, delta) -> {
                if (delta != 0) {
                    legs.add(Leg.user(key, delta > 0 ? Direction.CREDIT : Direction.DEBIT, Math.abs(delta)));
                }
            });
            systems.forEach((role, delta) -> {
                if (delta != 0) {
                    legs.add(Leg.system(asset, role, delta > 0 ? Direction.CREDIT : Direction.DEBIT, Math.abs(delta)));
                }
            });
            byWalletId.forEach((id, delta) -> {
                if (delta != 0) {
                    legs.add(new Leg(
                            null, id, roles.get(id), delta > 0 ? Direction.CREDIT : Direction.DEBIT, Math.abs(delta)));
                }
            });
            return legs;
        }
    }

    /** The user's lots that may be used now (not expired), in {@code order}. */
    private List<LockedWallet> usableLots(String owner, int assetId, java.util.Comparator<String> order) {
        List<LockedWallet> all = byHolder.getOrDefault(new Holder(owner, assetId), List.of());
        return all.stream()
                .filter(w -> Lots.isLot(w.key.account()) && !Lots.expiredAt(w.key.account(), createdAt))
                .sorted((a, b) -> order.compare(a.key.account(), b.key.account()))
                .toList();
    }

    /** What the user may spend now: the sum of the lots not expired (a lot in debt counts against it). */
    private long spendable(String owner, int assetId) {
        long total = 0;
        for (LockedWallet wallet :
                usableLots(owner, assetId, Lots.spendOrder(dev.walletledger.core.SpendOrder.FREE_FIRST))) {
            total = Math.addExact(total, wallet.balance);
        }
        return total;
    }

    /**
     * Takes {@code amount} coins from the user's usable lots in {@code order} (those of {@code only} alone, when it
     * is not null; {@code first} before the rest, when it is usable), into {@code draft} as debits, and returns
     * what it took, lot by lot. Takes less when the lots hold less.
     */
    private List<Portion> take(
            Draft draft,
            String owner,
            int assetId,
            long amount,
            java.util.Comparator<String> order,
            dev.walletledger.core.LotClass only,
            String first) {
        List<LockedWallet> lots = new ArrayList<>(usableLots(owner, assetId, order));
        if (first != null) {
            lots.sort((a, b) -> Boolean.compare(
                    !a.key.account().equals(first), !b.key.account().equals(first)));
        }
        List<Portion> taken = new ArrayList<>();
        long left = amount;
        for (LockedWallet lot : lots) {
            if (left == 0) {
                break;
            }
            if (only != null && Lots.lotClass(lot.key.account()) != only) {
                continue;
            }
            long portion = Math.min(left, draft.available(lot.key));
            if (portion > 0) {
                draft.user(lot.key, Direction.DEBIT, portion);
                taken.add(new Portion(lot.key.account(), portion));
                left -= portion;
            }
        }
        return taken;
    }

    private static long sum(List<Portion> portions) {
        return portions.stream().mapToLong(Portion::amount).sum();
    }

    /** The legs of each type of operation, on the locked balances. */
    private final class Legs implements Operation.Visitor<Decision> {
        private final AssetDirectory.AssetRow asset;
        private final Original original;
        private final java.util.Comparator<String> order;

        Legs(AssetDirectory.AssetRow asset, Original original) {
            this.asset = asset;
            this.original = original;
            this.order = Lots.spendOrder(asset.asset().spendOrder());
        }

        @Override
        public Decision topUp(Operation.TopUp o) {
            return credit(o, o.userId(), SystemWallet.TREASURY, o.amount(), o.expiresAt());
        }

        @Override
        public Decision bonus(Operation.Bonus o) {
            return credit(o, o.userId(), SystemWallet.BONUS_POOL, o.amount(), o.expiresAt());
        }

        @Override
        public Decision spend(Operation.Spend o) {
            return spendLots(o.userId(), o.amount(), null);
        }

        @Override
        public Decision transfer(Operation.Transfer o) {
            WalletException short_ = shortOf(o.fromUserId(), o.amount());
            if (short_ != null) {
                return Decision.refused(short_);
            }
            Draft draft = new Draft(asset);
            List<Portion> taken = take(draft, o.fromUserId(), asset.id(), o.amount(), order, null, null);
            for (Portion portion : taken) {
                // the receiver's lot of the same class and expiry (created under the locks, see WriteEngine)
                draft.user(key(o.toUserId(), portion.account()), Direction.CREDIT, portion.amount());
            }
            return Decision.of(o.amount(), draft.legs());
        }

        @Override
        public Decision adjustment(Operation.Adjustment o) {
            if (o.direction() == Direction.CREDIT) {
                return credit(o, o.userId(), SystemWallet.ADJUSTMENTS, o.amount(), null);
            }
            return spendLots(o.userId(), o.amount(), SystemWallet.ADJUSTMENTS);
        }

        /** A credit into the lot the operation names, from {@code from}. */
        private Decision credit(Operation o, String owner, SystemWallet from, long amount, Instant expiresAt) {
            if (expiresAt != null && !createdAt.isBefore(expiresAt)) {
                return Decision.refused(WalletException.of(
                        ErrorCode.LOT_EXPIRED,
                        "the coins would expire at " + expiresAt + ", before they were credited",
                        Map.of("expires_at", expiresAt.toString())));
            }
            return Decision.of(
                    amount,
                    List.of(
                            Leg.user(key(owner, accounts.credited(o)), Direction.CREDIT, amount),
                            Leg.system(asset, from, Direction.DEBIT, amount)));
        }

        /**
         * A debit of the user's lots in the spend order, to REVENUE (paid coins) and PROMO_REDEEMED (free coins),
         * or all to {@code to} when it is given.
         */
        private Decision spendLots(String owner, long amount, SystemWallet to) {
            WalletException short_ = shortOf(owner, amount);
            if (short_ != null) {
                return Decision.refused(short_);
            }
            Draft draft = new Draft(asset);
            for (Portion portion : take(draft, owner, asset.id(), amount, order, null, null)) {
                draft.system(to != null ? to : spentTo(portion.account()), Direction.CREDIT, portion.amount());
            }
            return Decision.of(amount, draft.legs());
        }

        /** WALLET_NOT_FOUND or INSUFFICIENT_FUNDS when the user cannot spend {@code amount} now, else null. */
        private WalletException shortOf(String owner, long amount) {
            if (!wallets.containsKey(key(owner, Accounts.MAIN))) {
                return WalletException.of(
                        ErrorCode.WALLET_NOT_FOUND,
                        "user " + owner + " has no " + asset.asset().code() + " wallet",
                        Map.of("user_id", owner, "asset_code", asset.asset().code()));
            }
            long balance = spendable(owner, asset.id());
            if (balance < amount) {
                return WalletException.of(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        "balance " + balance + " is less than the amount " + amount,
                        Map.of("balance", balance, "amount", amount));
            }
            return null;
        }

        @Override
        public Decision reversal(Operation.Reversal o) {
            WalletException refused = takeBackRefusal(o, o.transactionId(), original, o.amount());
            if (refused != null) {
                return Decision.refused(refused);
            }
            long amount = o.amount().orElse(remaining(original));
            TransactionResult taken = original.transaction;
            Draft draft = new Draft(asset);
            Entry subject = taken.subject();
            OperationType type = taken.type();
            if (type == OperationType.TOPUP
                    || type == OperationType.BONUS
                    || (type == OperationType.ADJUSTMENT && subject.direction() == Direction.CREDIT)) {
                // Coins it credited: back from the lot it credited, then the user's other lots of that class.
                WalletException short_ = takeOfClass(draft, subject.owner(), subject.account(), amount);
                if (short_ != null) {
                    return Decision.refused(short_);
                }
                Entry from = taken.entries().stream()
                        .filter(e -> e.walletKind() == WalletKind.SYSTEM)
                        .findFirst()
                        .orElseThrow();
                draft.system(from.walletId(), from.owner(), Direction.CREDIT, amount);
                return Decision.of(amount, draft.legs());
            }
            // Coins it took from lots: the last taken come back first, each to its lot (BREAKAGE once expired).
            List<Portion> portions = takenPortions(taken);
            List<Portion> back = slice(reversed(portions), original.taken, amount);
            if (type == OperationType.TRANSFER) {
                // A transfer gave the receiver lots of the same expiry: once that expiry passed, the receiver's
                // coins of it expired too, and there is nothing to give back (nor anyone's other coins to take).
                long expired = back.stream()
                        .filter(p -> Lots.expiredAt(p.account(), createdAt))
                        .mapToLong(Portion::amount)
                        .sum();
                if (expired > 0) {
                    return Decision.refused(WalletException.of(
                            ErrorCode.LOT_EXPIRED,
                            expired + " of the " + amount + " coins this reversal would take back expired since, on"
                                    + " both sides of the transfer",
                            Map.of("transaction_id", taken.transactionId().toString(), "expired", expired)));
                }
            }
            for (Portion portion : back) {
                draft.creditLot(key(subject.owner(), portion.account()), portion.amount());
            }
            for (Portion portion : back) {
                if (type == OperationType.TRANSFER) {
                    String receiver = taken.entries().stream()
                            .filter(e -> e.walletKind() == WalletKind.USER
                                    && !e.owner().equals(subject.owner()))
                            .findFirst()
                            .orElseThrow()
                            .owner();
                    WalletException short_ = takeOfClass(draft, receiver, portion.account(), portion.amount());
                    if (short_ != null) {
                        return Decision.refused(short_);
                    }
                } else if (type == OperationType.ADJUSTMENT) {
                    draft.system(SystemWallet.ADJUSTMENTS, Direction.DEBIT, portion.amount());
                } else {
                    draft.system(spentTo(portion.account()), Direction.DEBIT, portion.amount());
                }
            }
            if (!draft.postsToUser()) {
                return Decision.refused(WalletException.of(
                        ErrorCode.LOT_EXPIRED,
                        "every coin this reversal would return comes from a lot that has expired since",
                        Map.of("transaction_id", taken.transactionId().toString())));
            }
            return Decision.of(amount, draft.legs());
        }

        /**
         * The lots a spend, debit adjustment, transfer or capture took its coins from, in the order it took them: a
         * capture's are the part of its hold's portions it captured.
         */
        private List<Portion> takenPortions(TransactionResult taken) {
            if (taken.type() == OperationType.CAPTURE) {
                HoldState hold = holds.get(taken.holdId().orElseThrow());
                Invariants.require(hold != null, "a capture's hold is read under the locks to reverse it");
                long before = hold.amount - (taken.holdRemaining().getAsLong() + taken.amount());
                return slice(hold.portions, before, taken.captured());
            }
            String owner = taken.userId();
            List<Portion> portions = new ArrayList<>();
            for (Entry entry : taken.entries()) {
                if (entry.walletKind() == WalletKind.USER
                        && entry.owner().equals(owner)
                        && entry.direction() == Direction.DEBIT
                        && Lots.isLot(entry.account())) {
                    portions.add(new Portion(entry.account(), entry.amount()));
                }
            }
            return portions;
        }

        /** Debits {@code amount} of the user's coins of {@code account}'s class, that lot first; null or why not. */
        private WalletException takeOfClass(Draft draft, String owner, String account, long amount) {
            dev.walletledger.core.LotClass lotClass = Lots.lotClass(account);
            List<Portion> taken = take(draft, owner, asset.id(), amount, order, lotClass, account);
            if (sum(taken) < amount) {
                long has = sum(taken);
                return WalletException.of(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        "the " + lotClass.name().toLowerCase(Locale.ROOT) + " balance " + has
                                + " is less than the amount " + amount,
                        Map.of("balance", has, "amount", amount, "lot_class", lotClass.name()));
            }
            return null;
        }

        @Override
        public Decision hold(Operation.Hold o) {
            WalletException short_ = shortOf(o.userId(), o.amount());
            if (short_ != null) {
                return Decision.refused(short_);
            }
            Draft draft = new Draft(asset);
            take(draft, o.userId(), asset.id(), o.amount(), order, null, null);
            draft.user(key(o.userId(), Accounts.HELD), Direction.CREDIT, o.amount());
            return Decision.of(o.amount(), draft.legs());
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
            Draft draft = new Draft(asset);
            draft.user(key(hold.holder.owner(), Accounts.HELD), Direction.DEBIT, captured + released);
            long done = hold.amount - hold.remaining();
            for (Portion portion : slice(hold.portions, done, captured)) {
                draft.system(spentTo(portion.account()), Direction.CREDIT, portion.amount());
            }
            for (Portion portion : slice(hold.portions, done + captured, released)) {
                draft.creditLot(key(hold.holder.owner(), portion.account()), portion.amount());
            }
            return Decision.moving(
                    captured + released, draft.legs(), new HoldMove(hold, captured, released, Hold.Status.CAPTURED));
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

        @Override
        public Decision lotExpiry(Operation.LotExpiry o) {
            LockedWallet lot = wallets.get(key(o.userId(), o.account()));
            Invariants.require(
                    lot != null && lot.balance > 0 && Lots.expiredAt(o.account(), createdAt),
                    "a lot expiry is planned for a lot past its expiry that holds coins");
            return Decision.of(
                    lot.balance,
                    List.of(
                            Leg.user(lot.key, Direction.DEBIT, lot.balance),
                            Leg.system(asset, SystemWallet.BREAKAGE, Direction.CREDIT, lot.balance)));
        }

        @Override
        public Decision lotSplit(Operation.LotSplit o) {
            LockedWallet main = wallets.get(key(o.userId(), Accounts.MAIN));
            Invariants.require(
                    main != null && main.balance >= o.amount(),
                    "a lot split moves no more than the main account holds");
            return Decision.of(
                    o.amount(),
                    List.of(
                            Leg.user(main.key, Direction.DEBIT, o.amount()),
                            Leg.user(key(o.userId(), Accounts.FREE), Direction.CREDIT, o.amount())));
        }

        private HoldState heldState(Operation o) {
            HoldState hold = holds.get(o.heldBy().orElseThrow());
            Invariants.require(hold != null, "a hold found before the locks is read under them");
            return hold;
        }

        /** What remains of the hold, back to the lots it came from (to BREAKAGE for a lot expired meanwhile). */
        private Decision release(HoldState hold, Hold.Status closesAs) {
            long remaining = hold.remaining();
            Draft draft = new Draft(asset);
            draft.user(key(hold.holder.owner(), Accounts.HELD), Direction.DEBIT, remaining);
            for (Portion portion : slice(hold.portions, hold.amount - remaining, remaining)) {
                draft.creditLot(key(hold.holder.owner(), portion.account()), portion.amount());
            }
            return Decision.moving(remaining, draft.legs(), new HoldMove(hold, 0, remaining, closesAs));
        }

        @Override
        public Decision chargeback(Operation.Chargeback o) {
            WalletException refused = takeBackRefusal(o, o.transactionId(), original, o.amount());
            if (refused != null) {
                return Decision.refused(refused);
            }
            long amount = o.amount().orElse(remaining(original));
            Entry charged = original.transaction.subject();
            String owner = charged.owner();
            Invariants.require(
                    wallets.containsKey(key(owner, Accounts.MAIN)), "a chargeback's user account exists and is locked");
            long recovered = Math.max(0, Math.min(amount, spendable(owner, asset.id())));
            Draft draft = new Draft(asset);
            // Paid coins first (the charged top-up's lot before the others), then free ones.
            take(
                    draft,
                    owner,
                    asset.id(),
                    recovered,
                    Lots.spendOrder(dev.walletledger.core.SpendOrder.PAID_FIRST),
                    null,
                    charged.account());
            boolean debt = o.policy() == ChargebackPolicy.DEBT;
            // Under debt the whole amount is debited (what the lots lack puts the paid lot that never expires in
            // debt); a write-off debits what the user has, zero when nothing can be recovered, and books the rest
            // to CHARGEBACK_LOSS.
            if (debt && amount > recovered) {
                draft.user(key(owner, Accounts.MAIN), Direction.DEBIT, amount - recovered);
            }
            draft.system(SystemWallet.TREASURY, Direction.CREDIT, amount);
            if (!debt && amount > recovered) {
                draft.system(SystemWallet.CHARGEBACK_LOSS, Direction.DEBIT, amount - recovered);
            }
            List<Leg> legs = new ArrayList<>(draft.legs());
            if (!draft.postsToUser()) {
                legs.add(0, Leg.user(key(owner, Accounts.MAIN), Direction.DEBIT, 0));
            }
            return new Decision(amount, legs, debt, null, null);
        }

        private WalletKey key(String owner, String account) {
            return new WalletKey(owner, asset.id(), account);
        }
    }

    /** Where spent coins of a lot go: REVENUE for paid coins, PROMO_REDEEMED for free ones. */
    private static SystemWallet spentTo(String account) {
        return Lots.lotClass(account) == dev.walletledger.core.LotClass.PAID
                ? SystemWallet.REVENUE
                : SystemWallet.PROMO_REDEEMED;
    }

    private static List<Portion> reversed(List<Portion> portions) {
        List<Portion> reversed = new ArrayList<>(portions);
        java.util.Collections.reverse(reversed);
        return reversed;
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
                .filter(w -> w.touched || w.counted)
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
