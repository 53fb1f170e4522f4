package dev.walletledger.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The library workloads by short key, and the order they run in at each repetition. A workload that runs first
 * after pgbench (and the warm-up) was measured slower than the same workload run last, so no workload keeps one
 * position: the keys are shuffled once with the seed, and repetition {@code r} of {@code n} starts that order
 * {@code r × size ÷ n} places further on. Each workload so runs early, in the middle and late, and its median is
 * not its position's; {@link #check} reports how far the first place of each repetition was from the median.
 */
public final class LibraryOrder {
    /**
     * Every library workload that repeats: its key and the rows it reports. The reports are not here: they time
     * one call each on the ledger all the workloads left, once, after the last repetition.
     */
    static final Map<String, List<String>> UNITS = units();

    /** The key of the reports (timed once, at the end; never in the rotation). */
    static final String REPORTS = "reports";

    private LibraryOrder() {}

    private static Map<String, List<String>> units() {
        Map<String, List<String>> units = new LinkedHashMap<>();
        units.put("topups", List.of(Workloads.LIBRARY_TOPUPS));
        units.put("mix", List.of(Workloads.LIBRARY_MIX));
        units.put("hot", List.of(Workloads.HOT, Workloads.SPREAD));
        units.put("transfers", List.of(Workloads.LIBRARY_TRANSFERS, Workloads.TRANSFERS_HOT_PAIR));
        units.put("holds", List.of(Workloads.HOLD_CAPTURE_PAIRS));
        units.put("spends", List.of(Workloads.LIBRARY_SPENDS));
        units.put("followed", List.of(Workloads.FOLLOWED_TOPUPS));
        units.put("controlled", List.of(Workloads.CONTROLLED_SPENDS));
        units.put("batches", List.of(Workloads.BATCHES_OF + 100, Workloads.BATCHES_OF_1000));
        units.put("copy", List.of(Workloads.COPY_CEILING));
        return Collections.unmodifiableMap(units);
    }

    /** Every key {@code --only} takes, in the default order. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>(UNITS.keySet());
        keys.add(REPORTS);
        return keys;
    }

    /**
     * The key of a key or of a workload's name as the report shows it (case and surrounding space ignored).
     */
    public static Optional<String> key(String keyOrName) {
        String wanted = keyOrName.strip().toLowerCase(Locale.ROOT);
        for (String key : keys()) {
            if (key.equals(wanted)) {
                return Optional.of(key);
            }
        }
        for (Map.Entry<String, List<String>> unit : UNITS.entrySet()) {
            for (String name : unit.getValue()) {
                String plain = name.toLowerCase(Locale.ROOT);
                if (plain.equals(wanted)) {
                    return Optional.of(unit.getKey());
                }
            }
        }
        if (wanted.equals(Workloads.REPORT_OUTSTANDING) || wanted.equals(Workloads.REPORT_ACTIVITY)) {
            return Optional.of(REPORTS);
        }
        return Optional.empty();
    }

    /** The order of {@code keys} at repetition {@code repetition} (from 0) of {@code repetitions}. */
    static List<String> order(List<String> keys, long seed, int repetition, int repetitions) {
        List<String> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, new Random(seed));
        if (shuffled.isEmpty()) {
            return shuffled;
        }
        int shift = (int) ((long) repetition * shuffled.size() / repetitions) % shuffled.size();
        Collections.rotate(shuffled, -shift);
        return shuffled;
    }

    /**
     * For each repetition, its first workload's operations/s there ÷ its median over the other repetitions, at
     * each concurrency: near 1.00× when the first place costs nothing. Empty with one repetition (nothing to
     * compare with).
     */
    static List<String> check(Repetitions library, int repetitions) {
        List<String> lines = new ArrayList<>();
        if (repetitions < 2) {
            return lines;
        }
        for (int rep = 0; rep < repetitions; rep++) {
            int r = rep;
            StringBuilder line = new StringBuilder();
            String first = null;
            for (List<Repetitions.Run> row : library.rows()) {
                Optional<Repetitions.Run> there = row.stream()
                        .filter(run -> run.position() == 0 && run.repetition() == r)
                        .findFirst();
                if (there.isEmpty()) {
                    continue;
                }
                List<Double> elsewhere = row.stream()
                        .filter(run -> run != there.get())
                        .map(run -> run.result().opsPerSecond())
                        .toList();
                if (elsewhere.isEmpty()) {
                    continue;
                }
                first = there.get().unit();
                Result result = there.get().result();
                line.append(line.isEmpty() ? "" : ", ")
                        .append(String.format(
                                "%s @%d %.2f×",
                                result.workload(),
                                result.concurrency(),
                                result.opsPerSecond() / Repetitions.median(elsewhere)));
            }
            if (first != null) {
                lines.add("repetition " + (r + 1) + ", first " + first + ": " + line);
            }
        }
        return lines;
    }

    /**
     * A workload's operations/s at each repetition with the place it ran at ("#1" first), e.g. {@code #4 2,310/s,
     * #8 2,405/s, #1 2,104/s}: empty when it did not run.
     */
    static String positions(Repetitions library, String workload, int concurrency) {
        StringBuilder line = new StringBuilder();
        for (List<Repetitions.Run> row : library.rows()) {
            for (Repetitions.Run run : row) {
                Result result = run.result();
                if (result.workload().equals(workload) && result.concurrency() == concurrency) {
                    line.append(line.isEmpty() ? "" : ", ")
                            .append(String.format("#%d %,.0f/s", run.position() + 1, result.opsPerSecond()));
                }
            }
        }
        return line.toString();
    }
}
