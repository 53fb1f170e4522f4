package dev.walletledger.core.internal;

import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.WalletException;
import dev.walletledger.core.WalletStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a wallet's controls refuse, decided under the wallet's lock from the controls its main account holds (V6's
 * {@code check_controls} refuses the same again in the database):
 *
 * <ul>
 *   <li>a CLOSED wallet: every user operation (top-up, bonus, spend, transfer either way, hold, capture);
 *   <li>a FROZEN wallet: what takes coins out (spend, transfer out, hold);
 *   <li>a maximum balance: a top-up, bonus or transfer in that leaves the wallet (all its accounts, held coins
 *       included) above it;
 *   <li>a daily spend limit: a spend, transfer out or hold that takes the UTC day's count past it. A hold counts when
 *       placed (releasing it gives nothing back, so placing and voiding holds cannot move more than the limit).
 * </ul>
 *
 * Reversals, chargebacks, adjustments, voids and expiries are never refused here: money owed back must always move.
 */
final class Controls {
    private Controls() {}

    /** What a closed wallet refuses. */
    private static final Set<OperationType> CLOSED_REFUSES = Set.of(
            OperationType.TOPUP,
            OperationType.BONUS,
            OperationType.SPEND,
            OperationType.TRANSFER,
            OperationType.HOLD,
            OperationType.CAPTURE);
    /** What a frozen wallet refuses, and what counts against a daily spend limit: when it takes the user's coins. */
    private static final Set<OperationType> SPENDING =
            Set.of(OperationType.SPEND, OperationType.TRANSFER, OperationType.HOLD);
    /** The credits a maximum balance refuses. */
    private static final Set<OperationType> CAPPED =
            Set.of(OperationType.TOPUP, OperationType.BONUS, OperationType.TRANSFER);

    /** The UTC day of a moment: daily limits count by it. */
    static LocalDate day(Instant at) {
        return at.atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** The outcome of the check: a refusal, or the spend counts to move once the operation is planned. */
    record Count(WalletException refusal, List<Plan.LockedWallet> mains, List<Long> amounts) {
        void apply(Instant at) {
            LocalDate today = day(at);
            for (int i = 0; i < mains.size(); i++) {
                Plan.LockedWallet main = mains.get(i);
                main.spent = main.spentOn(today) + amounts.get(i);
                main.spentOn = today;
                main.counted = true;
            }
        }
    }

    /**
     * Checks an operation of {@code type} moving {@code net} per user (credits less debits) against the controls of
     * the locked {@code wallets}.
     */
    static Count check(
            OperationType type,
            Map<String, Long> net,
            AssetDirectory.AssetRow asset,
            Map<Plan.WalletKey, Plan.LockedWallet> wallets,
            Instant at) {
        List<Plan.LockedWallet> mains = new ArrayList<>();
        List<Long> amounts = new ArrayList<>();
        for (Map.Entry<String, Long> user : net.entrySet()) {
            Plan.LockedWallet main = wallets.get(new Plan.WalletKey(user.getKey(), asset.id(), Accounts.MAIN));
            if (main == null) {
                continue; // no wallet: the balance check refuses it
            }
            long moved = user.getValue();
            WalletException refusal = refusal(type, moved, main, wallets, asset, at);
            if (refusal != null) {
                return new Count(refusal, List.of(), List.of());
            }
            if (moved < 0 && main.dailySpendLimit != null && SPENDING.contains(type)) {
                mains.add(main);
                amounts.add(-moved);
            }
        }
        return new Count(null, mains, amounts);
    }

    private static WalletException refusal(
            OperationType type,
            long moved,
            Plan.LockedWallet main,
            Map<Plan.WalletKey, Plan.LockedWallet> wallets,
            AssetDirectory.AssetRow asset,
            Instant at) {
        String user = main.key.owner();
        String code = asset.asset().code();
        if (main.status == WalletStatus.CLOSED && CLOSED_REFUSES.contains(type)) {
            return refused(
                    ErrorCode.WALLET_CLOSED, "the " + code + " wallet of user " + user + " is closed", user, code);
        }
        if (main.status == WalletStatus.FROZEN && moved < 0 && SPENDING.contains(type)) {
            return refused(
                    ErrorCode.WALLET_FROZEN, "the " + code + " wallet of user " + user + " is frozen", user, code);
        }
        if (main.maxBalance != null && moved > 0 && CAPPED.contains(type)) {
            long balance = total(wallets, main.key);
            if (balance > main.maxBalance - moved) {
                return limit("max_balance", main.maxBalance, "balance", balance, moved, user, code);
            }
        }
        if (main.dailySpendLimit != null && moved < 0 && SPENDING.contains(type)) {
            long spent = main.spentOn(day(at));
            if (spent > main.dailySpendLimit + moved) {
                return limit("daily_spend_limit", main.dailySpendLimit, "spent", spent, -moved, user, code);
            }
        }
        return null;
    }

    /** Every account of the wallet, held coins included (all of them are locked with its main account). */
    private static long total(Map<Plan.WalletKey, Plan.LockedWallet> wallets, Plan.WalletKey main) {
        long total = 0;
        for (Plan.LockedWallet wallet : wallets.values()) {
            if (wallet.key.owner().equals(main.owner()) && wallet.key.assetId() == main.assetId()) {
                total += wallet.balance;
            }
        }
        return total;
    }

    private static WalletException refused(ErrorCode code, String message, String user, String asset) {
        return WalletException.of(code, message, Map.of("user_id", user, "asset_code", asset));
    }

    private static WalletException limit(
            String limit, long value, String measure, long before, long amount, String user, String asset) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("user_id", user);
        details.put("asset_code", asset);
        details.put("limit", limit);
        details.put("value", value);
        details.put(measure, before);
        details.put("amount", amount);
        return WalletException.of(
                ErrorCode.LIMIT_EXCEEDED,
                "the " + asset + " wallet of user " + user + " has a " + limit + " of " + value + ": " + measure + " "
                        + before + " and " + amount + " more would pass it",
                details);
    }
}
