package dev.walletledger.testing;

/**
 * The one way a random test gets its seed: {@code -Dwallet.seed=N} replays a run, otherwise a fresh one.
 * Always printed, with the flag that replays it.
 */
public final class Seeds {
    private Seeds() {}

    /** The seed for {@code what} (a test name, plus whatever tells its runs apart), printed. */
    public static long seed(String what) {
        long seed = Long.getLong("wallet.seed", System.nanoTime() & Long.MAX_VALUE);
        System.out.println(what + " seed=" + seed + " (re-run with -Dwallet.seed=" + seed + ")");
        return seed;
    }
}
