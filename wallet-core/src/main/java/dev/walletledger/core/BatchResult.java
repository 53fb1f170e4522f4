package dev.walletledger.core;

import java.util.List;

/** One outcome per submitted operation, in the order submitted. */
public record BatchResult(List<Outcome> outcomes) {
    public BatchResult {
        outcomes = List.copyOf(outcomes);
    }

    public long appliedCount() {
        return outcomes.stream().filter(o -> o instanceof Outcome.Applied).count();
    }
}
