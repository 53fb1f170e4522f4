package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.Seeds;
import dev.walletledger.testing.TestDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The invariant checks themselves: the lock order Java asserts is the order PostgreSQL sorts in. */
class InvariantsTest {
    @Test
    void javaLockOrderIsPostgresCollateCOrder() throws Exception {
        long seed = Seeds.seed("InvariantsTest");
        Random random = new Random(seed);
        // Code points from every UTF-16 region that sorts differently by code unit than by code point.
        int[] alphabet = {'a', 'B', 'z', '_', '0', 0xE9, 0x3B1, 0xE000, 0xFFFD, 0x1F600, 0x10348, 0xFF5E};
        List<String> owners = new ArrayList<>(List.of("a", "ab", "b", "\uFFFD", "\uD83D\uDE00", "\uE000"));
        for (int i = 0; i < 500; i++) {
            StringBuilder owner = new StringBuilder();
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                owner.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
            }
            owners.add(owner.toString());
        }
        List<String> javaOrder = owners.stream()
                .distinct()
                .map(o -> new Plan.Holder(o, 1))
                .sorted(Invariants.LOCK_ORDER)
                .map(Plan.Holder::owner)
                .toList();
        List<String> postgresOrder = new ArrayList<>();
        try (Connection c = TestDatabase.superuser();
                PreparedStatement s = c.prepareStatement(
                        "SELECT o FROM unnest(?::text[]) AS u(o) GROUP BY o ORDER BY o COLLATE \"C\"")) {
            Array array = c.createArrayOf("text", owners.toArray());
            s.setArray(1, array);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    postgresOrder.add(rows.getString(1));
                }
            }
        }
        assertEquals(postgresOrder, javaOrder);
    }

    @Test
    void aViolationNamesTheAssumption() {
        Invariants.Violation violation =
                assertThrows(Invariants.Violation.class, () -> Invariants.require(false, "two plus two is four"));
        assertTrue(violation.getMessage().startsWith("invariant violated: two plus two is four"));
        Invariants.require(true, "never thrown");
    }
}
