package dev.walletledger.testing;

import dev.walletledger.core.Lot;
import dev.walletledger.core.LotClass;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.SystemWallet;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The lots' rules recomputed from a ledger's rows, independently of the engine and of the audit (for the race and
 * fault tests): every posting with its transaction's {@code created_at}, read as the superuser, and checked
 * against the expiry each lot's account names.
 * <ul>
 *   <li>no transaction but a lot's LOT_EXPIRY posts to a lot at or after the lot's expiry (so no spend, hold or
 *       transfer applied then took from it, and no credit landed in it);</li>
 *   <li>each expiring lot, in the order of its postings: its balances chain; its LOT_EXPIRY, at most one, under
 *       its reserved reference, at or after its expiry, takes exactly what the lot held (never more than was ever
 *       credited to it), leaves it at zero, and nothing follows it; a lot past its expiry (at {@code checkedAt})
 *       that held coins then has exactly one, and holds nothing now;</li>
 *   <li>a spend's REVENUE credit is what it took from paid lots and its PROMO_REDEEMED credit what it took from
 *       free lots (free coins are never revenue); a transfer credits the receiver's lots of the very classes and
 *       expiries it took from the sender's.</li>
 * </ul>
 * Figures: {@code lot_expiries}, {@code expiring_lots}, {@code debits_of_expiring_lots} (before their expiry),
 * {@code applied_after_first_expiry} (transactions other than expiries at or after the earliest lot expiry).
 */
public final class LotAudit {
    /** The reserved reference prefix of a lot's expiry; the lot's wallet id follows. */
    public static final String EXPIRY_PREFIX = "wallet-ledger:lot-expiry:";

    private LotAudit() {}

    /** One posting as the database holds it, with its transaction. */
    public record Posting(
            UUID transactionId,
            OperationType type,
            String reference,
            Instant createdAt,
            long entryId,
            long walletId,
            boolean user,
            String owner,
            String account,
            String asset,
            boolean credit,
            long amount,
            Long balanceAfter) {
        public long signed() {
            return credit ? amount : -amount;
        }

        /** A USER lot that expires (not {@code main}, {@code free} or {@code held}). */
        public boolean expiringLot() {
            return user && !account.equals("held") && Lot.of(account, 0).expiresAt() != null;
        }

        /** A posting to one of the user's lots (any USER account but {@code held}). */
        public boolean lot() {
            return user && !account.equals("held");
        }
    }

    /** Every posting of the ledger in {@code schema}, by entry id (per wallet: the order its lock applied them). */
    public static List<Posting> postings(Connection connection, String schema) throws SQLException {
        List<Posting> rows = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT t.id, t.type, t.reference_id, t.created_at, e.id, e.wallet_id, w.kind, w.owner_id,
                               w.account, a.code, e.direction, e.amount, e.balance_after
                          FROM {s}.ledger_entries e
                          JOIN {s}.ledger_transactions t ON t.id = e.transaction_id
                          JOIN {s}.wallets w ON w.id = e.wallet_id
                          JOIN {s}.asset_types a ON a.id = w.asset_id
                         ORDER BY e.id""".replace("{s}", schema))) {
            while (r.next()) {
                long balanceAfter = r.getLong(13);
                rows.add(new Posting(
                        r.getObject(1, UUID.class),
                        OperationType.valueOf(r.getString(2)),
                        r.getString(3),
                        r.getObject(4, OffsetDateTime.class).toInstant(),
                        r.getLong(5),
                        r.getLong(6),
                        r.getString(7).equals("USER"),
                        r.getString(8),
                        r.getString(9),
                        r.getString(10),
                        r.getString(11).equals("CREDIT"),
                        r.getLong(12),
                        r.wasNull() ? null : balanceAfter));
            }
        }
        return rows;
    }

    /** The database's clock now. */
    public static Instant now(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT clock_timestamp()")) {
            r.next();
            return r.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /** The postings grouped by transaction, in the order of their first posting. */
    public static Map<UUID, List<Posting>> byTransaction(List<Posting> rows) {
        Map<UUID, List<Posting>> out = new LinkedHashMap<>();
        rows.forEach(r ->
                out.computeIfAbsent(r.transactionId(), k -> new ArrayList<>()).add(r));
        return out;
    }

    /** What the postings credit, less what they debit, to the SYSTEM wallet of {@code role}. */
    public static long credited(List<Posting> rows, SystemWallet role) {
        return rows.stream()
                .filter(r -> !r.user() && r.owner().equals(role.name()))
                .mapToLong(Posting::signed)
                .sum();
    }

    /** Both checks below, into {@code problems} and {@code figures}. */
    public static void check(List<Posting> rows, Instant checkedAt, List<String> problems, Map<String, Long> figures) {
        checkTransactions(rows, problems, figures);
        checkLots(rows, checkedAt, problems, figures);
    }

    /** Every transaction against every lot's expiry, a spend's split by class, a transfer's lots kept. */
    public static void checkTransactions(List<Posting> rows, List<String> problems, Map<String, Long> figures) {
        Instant first = rows.stream()
                .filter(Posting::expiringLot)
                .map(r -> Lot.of(r.account(), 0).expiresAt())
                .min(Instant::compareTo)
                .orElse(Instant.MAX);
        for (List<Posting> transaction : byTransaction(rows).values()) {
            Posting head = transaction.get(0);
            if (head.type() != OperationType.LOT_EXPIRY && !head.createdAt().isBefore(first)) {
                figures.merge("applied_after_first_expiry", 1L, Long::sum);
            }
            long paidOut = 0;
            long freeOut = 0;
            Map<String, Long> sent = new TreeMap<>();
            Map<String, Long> received = new TreeMap<>();
            for (Posting r : transaction) {
                if (!r.lot()) {
                    continue;
                }
                Lot lot = Lot.of(r.account(), r.amount());
                if (lot.expiresAt() != null && !r.createdAt().isBefore(lot.expiresAt())) {
                    if (r.type() != OperationType.LOT_EXPIRY) {
                        problems.add(r.type() + " " + r.reference() + " at " + r.createdAt() + " posted "
                                + (r.credit() ? "to " : "from ") + r.owner() + "'s lot " + r.account() + " ("
                                + r.asset() + "), past its expiry");
                    }
                } else if (lot.expiresAt() != null && !r.credit()) {
                    figures.merge("debits_of_expiring_lots", 1L, Long::sum);
                }
                if (r.credit()) {
                    received.merge(r.account(), r.amount(), Long::sum);
                } else {
                    paidOut += lot.lotClass() == LotClass.PAID ? r.amount() : 0;
                    freeOut += lot.lotClass() == LotClass.FREE ? r.amount() : 0;
                    sent.merge(r.account(), r.amount(), Long::sum);
                }
            }
            if (head.type() == OperationType.SPEND
                    && (credited(transaction, SystemWallet.REVENUE) != paidOut
                            || credited(transaction, SystemWallet.PROMO_REDEEMED) != freeOut)) {
                problems.add("SPEND " + head.reference() + " took " + paidOut + " paid and " + freeOut
                        + " free coins but credited REVENUE " + credited(transaction, SystemWallet.REVENUE)
                        + " and PROMO_REDEEMED " + credited(transaction, SystemWallet.PROMO_REDEEMED));
            }
            if (head.type() == OperationType.TRANSFER && !sent.equals(received)) {
                problems.add("TRANSFER " + head.reference() + " took lots " + sent + " but credited " + received);
            }
        }
    }

    /** Each expiring lot's postings in order, and its LOT_EXPIRY (see the class comment). */
    public static void checkLots(
            List<Posting> rows, Instant checkedAt, List<String> problems, Map<String, Long> figures) {
        Map<Long, List<Posting>> byLot = new TreeMap<>();
        rows.stream()
                .filter(Posting::expiringLot)
                .forEach(r -> byLot.computeIfAbsent(r.walletId(), k -> new ArrayList<>())
                        .add(r));
        for (Map.Entry<Long, List<Posting>> lot : byLot.entrySet()) {
            List<Posting> postings = lot.getValue();
            Posting first = postings.get(0);
            String name =
                    first.owner() + "'s " + first.account() + " (" + first.asset() + ", wallet " + lot.getKey() + ")";
            Instant expiry = Lot.of(first.account(), 0).expiresAt();
            long balance = 0;
            long creditedEver = 0;
            int expiries = 0;
            long heldAtExpiry = -1;
            for (Posting r : postings) {
                if (expiries > 0) {
                    problems.add(name + ": " + r.type() + " " + r.reference() + " posted after its LOT_EXPIRY");
                }
                if (r.type() == OperationType.LOT_EXPIRY) {
                    expiries++;
                    heldAtExpiry = balance;
                    if (r.credit()
                            || r.amount() != balance
                            || r.balanceAfter() == null
                            || r.balanceAfter() != 0
                            || r.amount() > creditedEver) {
                        problems.add(name + ": its LOT_EXPIRY took " + r.amount() + " of a lot holding " + balance
                                + " (ever credited " + creditedEver + "), leaving " + r.balanceAfter());
                    }
                    if (!r.reference().equals(EXPIRY_PREFIX + lot.getKey())
                            || r.createdAt().isBefore(expiry)) {
                        problems.add(name + ": a LOT_EXPIRY under " + r.reference() + " at " + r.createdAt());
                    }
                }
                balance += r.signed();
                creditedEver += r.credit() ? r.amount() : 0;
                if (r.balanceAfter() == null || r.balanceAfter() != balance) {
                    problems.add(name + ": " + r.type() + " " + r.reference() + " leaves " + r.balanceAfter()
                            + ", its postings sum to " + balance);
                }
            }
            if (!checkedAt.isBefore(expiry)) {
                long held = expiries == 0 ? balance : heldAtExpiry;
                if ((held > 0 && expiries != 1) || (held == 0 && expiries != 0) || balance != 0) {
                    problems.add(name + ", expired at " + expiry + ": " + expiries + " LOT_EXPIRY for " + held
                            + " coins held at its expiry; it holds " + balance + " now");
                }
            }
            figures.merge("lot_expiries", (long) expiries, Long::sum);
            figures.merge("expiring_lots", 1L, Long::sum);
        }
    }
}
