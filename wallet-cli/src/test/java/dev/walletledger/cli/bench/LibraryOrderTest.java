package dev.walletledger.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of the library workloads across repetitions, and what --only accepts. */
class LibraryOrderTest {
    private static final List<String> KEYS = List.copyOf(LibraryOrder.UNITS.keySet());

    @Test
    void eachRepetitionRunsEveryWorkloadOnceAndNoWorkloadKeepsItsPlace() {
        long seed = Seeds.seed("LibraryOrderTest");
        for (int repetitions = 2; repetitions <= 5; repetitions++) {
            Set<String> firsts = new HashSet<>();
            List<List<String>> orders = new ArrayList<>();
            for (int r = 0; r < repetitions; r++) {
                List<String> order = LibraryOrder.order(KEYS, seed, r, repetitions);
                assertEquals(Set.copyOf(KEYS), Set.copyOf(order), "a permutation of the keys: " + order);
                assertEquals(KEYS.size(), order.size());
                firsts.add(order.get(0));
                orders.add(order);
            }
            assertEquals(repetitions, firsts.size(), "a different workload first at each repetition: " + orders);
            for (String key : KEYS) {
                Set<Integer> places = new HashSet<>();
                orders.forEach(order -> places.add(order.indexOf(key)));
                assertEquals(repetitions, places.size(), key + " at a different place each time: " + orders);
            }
        }
        assertEquals(LibraryOrder.order(KEYS, seed, 0, 3), LibraryOrder.order(KEYS, seed, 0, 3), "the seed fixes it");
        assertNotEquals(LibraryOrder.order(KEYS, seed, 0, 1), LibraryOrder.order(KEYS, seed + 1, 0, 1), "seed " + seed);
    }

    @Test
    void onlyTakesKeysAndTheNamesInTheReport() {
        assertEquals(Optional.of("topups"), LibraryOrder.key("topups"));
        assertEquals(Optional.of("topups"), LibraryOrder.key(" Library Top-ups "));
        assertEquals(Optional.of("batches"), LibraryOrder.key("batches of 1000"));
        assertEquals(Optional.of("hot"), LibraryOrder.key(Workloads.SPREAD));
        assertEquals(Optional.of("copy"), LibraryOrder.key(Workloads.COPY_CEILING));
        assertEquals(Optional.of("reports"), LibraryOrder.key("report: activity"));
        assertEquals(Optional.empty(), LibraryOrder.key("pgbench topup_uniform"));
        assertEquals(Optional.empty(), LibraryOrder.key(""));
        assertTrue(LibraryOrder.keys().containsAll(KEYS) && LibraryOrder.keys().contains("reports"));
    }
}
