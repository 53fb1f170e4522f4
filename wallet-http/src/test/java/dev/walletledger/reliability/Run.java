package dev.walletledger.reliability;

import dev.walletledger.testing.Seeds;
import java.util.Random;

/**
 * One test run's seed and tier. {@code -Dwallet.seed=N} replays a run; {@code -Dwallet.soak=true} selects the
 * soak tier (bigger numbers, tens of minutes) instead of the fast tier that runs in every build.
 */
record Run(String test, long seed, boolean soak, Random random) {
    static Run start(String test) {
        boolean soak = Boolean.getBoolean("wallet.soak");
        long seed = Seeds.seed(test + " tier=" + (soak ? "soak" : "fast"));
        return new Run(test, seed, soak, new Random(seed));
    }

    /** {@code fast} in the fast tier, {@code soak} in the soak tier. */
    int pick(int fast, int soak) {
        return this.soak ? soak : fast;
    }

    long pick(long fast, long soak) {
        return this.soak ? soak : fast;
    }

    void summary(String line) {
        System.out.println("SUMMARY " + line + " seed=" + seed + " tier=" + (soak ? "soak" : "fast"));
    }
}
