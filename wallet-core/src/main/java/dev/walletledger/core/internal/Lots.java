package dev.walletledger.core.internal;

import dev.walletledger.core.Lot;
import dev.walletledger.core.LotClass;
import dev.walletledger.core.SpendOrder;
import java.time.Instant;
import java.util.Comparator;

/**
 * The engine's view of lot accounts ({@link Lot} says how they are named; V5's {@code lot_class} and {@code
 * lot_expiry} read the same names in SQL): every USER account but the held one is a lot.
 */
final class Lots {
    private Lots() {}

    static String account(LotClass lotClass, Instant expiresAt) {
        return Lot.accountOf(lotClass, expiresAt);
    }

    /** Whether the account is a lot (every USER account but the held one). */
    static boolean isLot(String account) {
        return !account.equals(Accounts.HELD);
    }

    static LotClass lotClass(String account) {
        return Lot.of(account, 0).lotClass();
    }

    /** The lot's expiry, or null when it never expires. */
    static Instant expiry(String account) {
        return Lot.of(account, 0).expiresAt();
    }

    /** Whether the lot is expired at {@code clock}: its expiry is at or before it. */
    static boolean expiredAt(String account, Instant clock) {
        Instant expiry = expiry(account);
        return expiry != null && !clock.isBefore(expiry);
    }

    /**
     * The order in which a spend takes lots under {@code order}: the preferred class first (none for
     * EXPIRING_FIRST), then the soonest expiry (never last), then free before paid.
     */
    static Comparator<String> spendOrder(SpendOrder order) {
        Comparator<String> byClass = Comparator.comparingInt(account -> switch (order) {
            case FREE_FIRST -> lotClass(account) == LotClass.FREE ? 0 : 1;
            case PAID_FIRST -> lotClass(account) == LotClass.PAID ? 0 : 1;
            case EXPIRING_FIRST -> 0;
        });
        Comparator<String> byExpiry =
                Comparator.comparing(Lots::expiry, Comparator.nullsLast(Comparator.naturalOrder()));
        Comparator<String> freeFirst = Comparator.comparingInt(account -> lotClass(account) == LotClass.FREE ? 0 : 1);
        return byClass.thenComparing(byExpiry).thenComparing(freeFirst);
    }
}
