package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import org.junit.jupiter.api.Test;

/**
 * The routing rules of {@link Ledger#reads(Position)} that need no standby (a real one is R22 in the
 * server's reliability suite): without a replica every read is the primary's; a "replica" that is the
 * primary itself is never behind; a replica that cannot be reached sends reads to the primary; positions
 * are checked.
 */
class ReadRoutingTest {
    @Test
    void withoutAReplicaEveryReadIsThePrimarysAndAPositionIsAfterTheWrite() {
        try (TestLedger t = TestDatabase.newLedger()) {
            Ledger ledger = t.ledger();
            assertFalse(ledger.hasReplica());
            ledger.topUp(Operation.topUp("p1", "GOLD_COINS", 7, "rr-p1"));
            Position position = ledger.position();
            Routed<Balance> read = ledger.reads(position).balance("p1", "GOLD_COINS");
            assertEquals(ReadSource.PRIMARY, read.source());
            assertEquals(7, read.value().balance());
            assertTrue(ledger.replicaLagBytes().isEmpty());
        }
    }

    @Test
    void theSameDatabaseAsReplicaIsNeverBehindAndAnUnreachableOneFallsBack() {
        try (TestLedger t = TestDatabase.newLedger()) {
            t.ledger().topUp(Operation.topUp("p2", "GOLD_COINS", 5, "rr-p2"));
            try (Ledger same = new Ledger(t.dataSource(), t.dataSource(), t.config())) {
                Position position = same.position();
                Routed<HistoryPage> page = same.reads(position).history("p2", null, null, 10);
                assertEquals(ReadSource.REPLICA, page.source());
                assertEquals(1, page.value().items().size());
                assertTrue(same.replicaLagBytes().isEmpty(), "the primary replays nothing: no lag to report");
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1");
            config.setConnectionTimeout(250);
            config.setInitializationFailTimeout(-1);
            try (HikariDataSource nowhere = new HikariDataSource(config);
                    Ledger ledger = new Ledger(t.dataSource(), nowhere, t.config())) {
                Routed<Balance> read = ledger.reads(null).balance("p2", "GOLD_COINS");
                assertEquals(ReadSource.PRIMARY, read.source());
                assertEquals(5, read.value().balance());
                ledger.reads(null).balance("p2", "GOLD_COINS"); // resting: straight to the primary
                assertEquals(2, ledger.metrics().replicaUnavailable());
                assertEquals(0, ledger.metrics().replicaReads());
            }
        }
    }

    @Test
    void aPositionIsALogPosition() {
        assertEquals("16/B374D848", Position.parse(" 16/b374d848 ").lsn());
        for (String bad : new String[] {"", "16", "16/", "/1", "G/1", "123456789/1", "1/2/3", "1 /2"}) {
            WalletException e = assertThrows(WalletException.class, () -> Position.parse(bad), bad);
            assertEquals(ErrorCode.VALIDATION_FAILED, e.code());
        }
        assertThrows(WalletException.class, () -> Position.parse(null));
    }
}
