package dev.walletledger.core;

import java.util.List;

/** One outcome per submitted operation, in the order submitted. */
public record BatchResult(List<Outcome> outcomes) {
    public BatchResult {
        outcomes = List.copyOf(outcomes);
    }

    /** Operations this submission wrote; replays of earlier ones are not counted. */
    public long appliedCount() {
        return outcomes.stream()
                .filter(o -> o instanceof Outcome.Applied a && !a.result().replayed())
                .count();
    }

    /** Operations answered from an earlier submission with the same reference id. */
    public long replayedCount() {
        return outcomes.stream()
                .filter(o -> o instanceof Outcome.Applied a && a.result().replayed())
                .count();
    }

    /** Operations refused (independent batches only: an atomic batch that refuses one throws). */
    public long refusedCount() {
        return outcomes.stream().filter(o -> o instanceof Outcome.Refused).count();
    }
}
