package dev.walletledger.cli;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Minor units shown in an asset's major units: 1250 with 2 decimal places is 12.50. Exact, never floating. */
final class Units {
    private Units() {}

    static String major(long minor, int decimalPlaces) {
        return BigDecimal.valueOf(minor, decimalPlaces).toPlainString();
    }

    static String major(BigInteger minor, int decimalPlaces) {
        return new BigDecimal(minor, decimalPlaces).toPlainString();
    }
}
