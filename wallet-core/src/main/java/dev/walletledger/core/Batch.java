package dev.walletledger.core;

import java.util.List;
import java.util.Objects;

/**
 * Many operations submitted in one call and one database transaction.
 *
 * <p>{@link Mode#ATOMIC}: all are applied or none; the first refusal is thrown, its details naming
 * the operation's {@code index}. {@link Mode#INDEPENDENT}: each has its own outcome, a refused spend
 * does not fail its neighbours. Operations apply in list order, so a top-up may fund a later spend.
 */
public record Batch(List<Operation> operations, Mode mode) {
    /** The most operations one batch may hold. */
    public static final int SIZE_MAX = 5_000;

    public enum Mode {
        ATOMIC,
        INDEPENDENT
    }

    public Batch {
        Objects.requireNonNull(mode, "mode");
        if (operations == null || operations.isEmpty()) {
            throw WalletException.invalid("operations", "must hold at least one operation");
        }
        requireSize(operations.size());
        operations = List.copyOf(operations);
    }

    /**
     * Refuses more than {@link #SIZE_MAX} operations; a caller that parses a batch calls it before parsing
     * them all, so an oversized one costs nothing.
     */
    public static void requireSize(int operations) {
        if (operations > SIZE_MAX) {
            throw WalletException.invalid("operations", "must hold at most " + SIZE_MAX + " operations");
        }
    }

    public static Batch atomic(List<Operation> operations) {
        return new Batch(operations, Mode.ATOMIC);
    }

    public static Batch independent(List<Operation> operations) {
        return new Batch(operations, Mode.INDEPENDENT);
    }
}
