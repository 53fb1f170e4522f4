package dev.walletledger.core;

import java.util.Locale;

/** What a chargeback does with what it cannot recover from the user's balance (the shortfall). */
public enum ChargebackPolicy {
    /** The user's balance goes negative by the shortfall; later credits repay it first. */
    DEBT,
    /** The shortfall is booked to the asset's CHARGEBACK_LOSS; the user ends at zero. */
    WRITE_OFF;

    /** The wire name: {@code debt} or {@code write_off}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * From the wire name, spelled exactly ({@code debt}, {@code write_off}), as every enumerated value of the API
     * is: no other case, no hyphen.
     */
    public static ChargebackPolicy parse(String field, String text) {
        for (ChargebackPolicy policy : values()) {
            if (policy.wireName().equals(text)) {
                return policy;
            }
        }
        throw WalletException.invalid(field, "must be \"debt\" or \"write_off\"");
    }
}
