package dev.walletledger.core.internal;

import java.util.Comparator;

/**
 * Always-on checks of what the code assumes: a broken assumption stops the operation loudly, as a
 * {@link Violation}, and is told apart from every operating error (a refusal, a busy or unreachable
 * database). The ledger answers it with {@code INTERNAL_ERROR} whose message starts "invariant violated",
 * and the cause keeps the violation for the log. Cheap enough to stay on in production, as they must:
 * the states they catch are the ones tests did not think of.
 */
final class Invariants {
    /** A bug, or a schema changed under the ledger; never a condition to retry or to handle. */
    public static final class Violation extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Violation(String assumption) {
            super("invariant violated: " + assumption);
        }
    }

    /**
     * The lock order of USER wallets (a user in an asset, locked through its main account): owner id in code
     * point order (which is PostgreSQL's {@code COLLATE "C"} order over UTF-8), then asset id. Every
     * transaction takes its wallet locks in this order (see {@link Locks}).
     */
    static final Comparator<Plan.Holder> LOCK_ORDER = Comparator.comparing(
                    Plan.Holder::owner, Invariants::compareCodePoints)
            .thenComparingInt(Plan.Holder::assetId);

    private Invariants() {}

    /** @throws Violation naming {@code assumption} when it does not hold */
    static void require(boolean holds, String assumption) {
        if (!holds) {
            throw new Violation(assumption);
        }
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
