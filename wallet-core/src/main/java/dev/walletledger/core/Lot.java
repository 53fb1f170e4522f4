package dev.walletledger.core;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Coins of one class and expiry: a lot of a wallet as it stands, or the part of a transaction that moved that
 * lot's coins (a spend's {@linkplain TransactionResult#breakdown() breakdown}). {@code expiresAt} is null for
 * coins that never expire; expiries are kept to the second.
 *
 * <p>Each lot is an account of the user's wallet, and an {@link Entry}'s account names it: {@code main} (paid,
 * never expires: every coin of a ledger from before lots), {@code free} (free, never expires), {@code
 * paid_YYYYMMDDtHHMMSSz} and {@code free_YYYYMMDDtHHMMSSz} (expiring at that UTC second). The {@code held} account
 * of open holds is no lot.
 */
public record Lot(LotClass lotClass, Instant expiresAt, long amount) {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd't'HHmmss'z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter PARSED = DateTimeFormatter.ofPattern("yyyyMMdd't'HHmmss", Locale.ROOT);

    public Lot {
        Objects.requireNonNull(lotClass, "lotClass");
    }

    /** When the coins expire; empty when they never do. */
    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    /** The account of the lot of this class and expiry (null: never). */
    public static String accountOf(LotClass lotClass, Instant expiresAt) {
        if (expiresAt == null) {
            return lotClass == LotClass.PAID ? "main" : "free";
        }
        return (lotClass == LotClass.PAID ? "paid_" : "free_") + STAMP.format(expiresAt);
    }

    /** The lot an account names, with {@code amount} coins; {@code VALIDATION_FAILED} for an account that is none. */
    public static Lot of(String account, long amount) {
        if (account.equals("main")) {
            return new Lot(LotClass.PAID, null, amount);
        }
        if (account.equals("free")) {
            return new Lot(LotClass.FREE, null, amount);
        }
        if (account.length() == 21
                && (account.startsWith("paid_") || account.startsWith("free_"))
                && account.endsWith("z")) {
            Instant expiry =
                    LocalDateTime.parse(account.substring(5, 20), PARSED).toInstant(ZoneOffset.UTC);
            return new Lot(account.startsWith("paid_") ? LotClass.PAID : LotClass.FREE, expiry, amount);
        }
        throw WalletException.invalid("account", "names no lot: " + account);
    }

    /** This lot's account. */
    public String account() {
        return accountOf(lotClass, expiresAt);
    }
}
