package dev.walletledger.core;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What moved in each asset (ordered by code) over the transactions dated in {@code (from, to]}, and how each lot
 * class got from its opening to its closing balance. Read from one snapshot, once every write dated at or before
 * {@code to} has committed.
 */
public record ActivityReport(Instant from, Instant to, List<Line> assets) {
    public ActivityReport {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from is after to");
        }
        assets = List.copyOf(assets);
    }

    /**
     * One asset. The first figures are the business's: what was bought, given, spent, lost to expiry, refunded,
     * charged back, adjusted, and what holds and transfers moved; {@code paid} and {@code free} are the lots' own
     * accounts, which add up (see {@link LotFlow}).
     *
     * @param paidCredited   what top-ups credited to paid lots
     * @param freeGranted    what bonuses credited to free lots
     * @param paidSpent      what spends and captures credited to REVENUE (paid coins spent)
     * @param freeSpent      what was credited to PROMO_REDEEMED (free coins spent)
     * @param expired        what was credited to BREAKAGE (expired lots, and coins that came back to expired lots)
     * @param refunded       what reversals credited to users' lots
     * @param chargedBack    what chargebacks debited from users' lots
     * @param adjustedCredit what adjustments credited to users' lots
     * @param adjustedDebit  what adjustments debited from users' lots
     * @param held           what holds took from users' lots into their held accounts
     * @param released       what captures, voids and hold expiries gave back to users' lots
     * @param transferred    what transfers moved between users (credited to the recipients' lots)
     * @param paid           the paid lots' account
     * @param free           the free lots' account
     */
    public record Line(
            String assetCode,
            int decimalPlaces,
            long paidCredited,
            long freeGranted,
            long paidSpent,
            long freeSpent,
            long expired,
            long refunded,
            long chargedBack,
            long adjustedCredit,
            long adjustedDebit,
            long held,
            long released,
            long transferred,
            LotFlow paid,
            LotFlow free) {
        public Line {
            Objects.requireNonNull(assetCode, "assetCode");
            Objects.requireNonNull(paid, "paid");
            Objects.requireNonNull(free, "free");
        }
    }

    /**
     * One lot class's account over the period: {@code opening} (the raw balances of the class's lots at {@code
     * from}: lots past their expiry but not yet swept included, held coins excluded) plus every credit to those lots
     * minus every debit from them is {@code closing} (the same at {@code to}). The opening and closing balances are
     * read from the entries' {@code balance_after}, the credits and debits from their amounts; {@code credits} and
     * {@code debits} split them by transaction type (every type present, zeros included).
     */
    public record LotFlow(
            long opening, Map<OperationType, Long> credits, Map<OperationType, Long> debits, long closing) {
        public LotFlow {
            credits = complete(credits, "credits");
            debits = complete(debits, "debits");
            if (Math.addExact(opening, Math.subtractExact(total(credits), total(debits))) != closing) {
                throw new IllegalArgumentException("opening + credits - debits must be closing");
            }
        }

        public long credited() {
            return total(credits);
        }

        public long debited() {
            return total(debits);
        }

        private static Map<OperationType, Long> complete(Map<OperationType, Long> amounts, String name) {
            Objects.requireNonNull(amounts, name);
            EnumMap<OperationType, Long> all = new EnumMap<>(OperationType.class);
            for (OperationType type : OperationType.values()) {
                long amount = amounts.getOrDefault(type, 0L);
                if (amount < 0) {
                    throw new IllegalArgumentException(name + " are never negative");
                }
                all.put(type, amount);
            }
            return Collections.unmodifiableMap(all);
        }

        private static long total(Map<OperationType, Long> amounts) {
            long sum = 0;
            for (long amount : amounts.values()) {
                sum = Math.addExact(sum, amount);
            }
            return sum;
        }
    }
}
