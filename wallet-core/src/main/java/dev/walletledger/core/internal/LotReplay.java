package dev.walletledger.core.internal;

import dev.walletledger.core.Direction;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.SpendOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The upgrade to lots: how much of a wallet's coins from before lots, all in its {@code main} account, are free,
 * found by replaying the account's history in entry order. Pure: {@link WriteEngine#splitLots} feeds it the
 * entries, under the wallet's lock. The rules, also in the wallet-core README ("Upgrading to lots"):
 *
 * <ul>
 *   <li>a top-up and a transfer received are paid coins (a transfer's sender's split is not known wallet by wallet,
 *       and paid is the larger liability); a bonus and a credit adjustment are free coins, as they are with lots;
 *   <li>a spend, a transfer sent and a debit adjustment take coins in the asset's spend order;
 *   <li>a hold takes paid coins first: its coins went to the held account from {@code main}, and what it releases
 *       comes back to {@code main} and what it captures is booked as revenue, so they are paid; a release is paid;
 *   <li>a chargeback takes paid coins first (what is short puts the paid part in debt);
 *   <li>a reversal that returns coins gives back what the original took, the last taken first; one that takes a
 *       bonus back takes free coins first, any other paid coins first.
 * </ul>
 *
 * The free part never exceeds what {@code main} holds: a wallet in debt keeps its coins paid.
 */
final class LotReplay {
    /** One entry of the wallet's {@code main} account, with what its transaction was. */
    record Step(
            UUID transactionId,
            OperationType type,
            Direction direction,
            long amount,
            UUID reverses,
            OperationType originalType) {}

    private final boolean freeFirst;
    private long paid;
    private long free;
    /** What each debit of this wallet took: {paid, free}, for the reversals that give it back. */
    private final Map<UUID, long[]> taken = new HashMap<>();

    private LotReplay(SpendOrder order) {
        // The two lots from before lots never expire: the spend order's class preference alone orders them.
        List<String> accounts = new ArrayList<>(List.of(Accounts.MAIN, Accounts.FREE));
        accounts.sort(Lots.spendOrder(order));
        this.freeFirst = accounts.get(0).equals(Accounts.FREE);
    }

    /** The free part of the coins the account holds after {@code steps}, in entry order. */
    static long freePart(Iterable<Step> steps, SpendOrder order) {
        LotReplay replay = new LotReplay(order);
        long balance = 0;
        for (Step step : steps) {
            replay.apply(step);
            balance = Math.addExact(balance, step.direction() == Direction.CREDIT ? step.amount() : -step.amount());
        }
        Invariants.require(
                replay.paid + replay.free == balance, "the replay's paid and free parts add up to the balance");
        return Math.max(0, Math.min(replay.free, balance));
    }

    private void apply(Step step) {
        if (step.direction() == Direction.CREDIT) {
            credit(step);
        } else {
            debit(step);
        }
    }

    private void credit(Step step) {
        switch (step.type()) {
            case BONUS, ADJUSTMENT -> free += step.amount();
            case REVERSAL -> giveBack(step.reverses(), step.amount());
            case TOPUP, TRANSFER, CAPTURE, VOID, EXPIRY, CHARGEBACK, SPEND, HOLD, LOT_EXPIRY, LOT_SPLIT ->
                paid += step.amount();
        }
    }

    private void debit(Step step) {
        long[] took = switch (step.type()) {
            case SPEND, TRANSFER, ADJUSTMENT -> take(step.amount(), freeFirst);
            case REVERSAL -> take(step.amount(), step.originalType() == OperationType.BONUS);
            case TOPUP, BONUS, CHARGEBACK, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                take(step.amount(), false);
        };
        taken.put(step.transactionId(), took);
    }

    /** Takes {@code amount}: free coins first or paid coins first; what both lack is paid debt. */
    private long[] take(long amount, boolean freeFirstNow) {
        long fromFree;
        if (freeFirstNow) {
            fromFree = Math.min(amount, Math.max(0, free));
        } else {
            fromFree = Math.max(0, Math.min(amount - Math.min(amount, Math.max(0, paid)), free));
        }
        long fromPaid = amount - fromFree;
        free -= fromFree;
        paid -= fromPaid;
        return new long[] {fromPaid, fromFree};
    }

    /** A refund of {@code amount} of a debit of this wallet: the last taken first. */
    private void giveBack(UUID original, long amount) {
        long[] took = original == null ? null : taken.get(original);
        if (took == null) {
            paid += amount;
            return;
        }
        // took = {paid, free}; the class taken last is the one that was taken second
        int last = freeFirst ? 0 : 1;
        long first = Math.min(amount, took[last]);
        took[last] -= first;
        long second = Math.min(amount - first, took[1 - last]);
        took[1 - last] -= second;
        long rest = amount - first - second;
        if (last == 0) {
            paid += first + rest;
            free += second;
        } else {
            free += first;
            paid += second + rest;
        }
    }
}
