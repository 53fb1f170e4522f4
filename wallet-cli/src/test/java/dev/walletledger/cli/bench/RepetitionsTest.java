package dev.walletledger.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A repeated row: the median's numbers and the range of its runs. */
class RepetitionsTest {
    private static Result run(double opsPerSecond, double p99, String note) {
        return new Result(
                "library top-ups", "library", 4, opsPerSecond, 2, p99, p99 * 2, 100, 1, 0, 2, "", Double.NaN, note);
    }

    @Test
    void aRowIsTheMedianOfItsRunsWithTheirRange() {
        Result row = Repetitions.medianRow(List.of(run(900, 30, "a"), run(1_200, 10, "b"), run(1_000, 20, "c")));
        assertEquals(1_000, row.opsPerSecond());
        assertEquals(20, row.p99Millis());
        assertEquals(60, row.maxMillis(), "the highest of all runs");
        assertEquals(300, row.operations(), "the totals of all runs");
        assertEquals(6, row.retries());
        assertEquals("c", row.note(), "the median run's note");
        assertEquals(List.of(900.0, 1_200.0, 1_000.0), row.repetitions(), "in the order they ran");
        assertEquals(900, row.minOpsPerSecond());
        assertEquals(1_200, row.maxOpsPerSecond());
        assertEquals(30.0, row.spreadPercent(), 1e-9);
        assertEquals(0.5, row.withBaseline("pgbench", 2_000).ratio(), "ratios use the median");
    }

    @Test
    void anEvenCountTakesTheMeanOfTheMiddleTwoAndOneRunIsReportedAsItIs() {
        assertEquals(
                1_100,
                Repetitions.medianRow(List.of(run(1_000, 1, ""), run(1_200, 1, "")))
                        .opsPerSecond());
        Result once = run(700, 1, "x");
        assertEquals(once, Repetitions.medianRow(List.of(once)));
        assertEquals(0, once.spreadPercent());
    }
}
