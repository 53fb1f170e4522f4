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
 * server's reliability suite): without a replica every read is the primary's; a "replica" that is not
 * a standby (here the primary itself) never serves a position; a replica that cannot be reached sends reads to the primary; positions
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
    void aReplicaNotInRecoveryIsBehindAnUnreachableOneFallsBackAndAPlainReadIsServed() {
        try (TestLedger t = TestDatabase.newLedger()) {
            t.ledger().topUp(Operation.topUp("p2", "GOLD_COINS", 5, "rr-p2"));
            try (Ledger same = new Ledger(t.dataSource(), t.dataSource(), t.config())) {
                Position position = same.position();
                // Not a standby: its own log proves nothing about the primary's position.
                Routed<HistoryPage> page = same.reads(position).history("p2", null, null, 10);
                assertEquals(ReadSource.PRIMARY, page.source());
                assertEquals(1, page.value().items().size());
                assertEquals(1, same.metrics().replicaBehind());
                Routed<HistoryPage> plain = same.reads(null).history("p2", null, null, 10);
                assertEquals(ReadSource.REPLICA, plain.source(), "without a position, any copy serves");
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

    /** A replica that refuses the SQL (here: no rights on the ledger) is an unavailable one, never a 500. */
    @Test
    void aReplicaThatRefusesTheQueryFallsBackToThePrimary() throws Exception {
        try (TestLedger t = TestDatabase.newLedger()) {
            t.ledger().topUp(Operation.topUp("p3", "GOLD_COINS", 9, "rr-p3"));
            try (java.sql.Connection c = TestDatabase.superuser();
                    java.sql.Statement s = c.createStatement()) {
                s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wallet_no_rights')"
                        + " THEN CREATE ROLE wallet_no_rights NOLOGIN; END IF; END $$");
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(TestDatabase.jdbcUrl());
            config.setConnectionInitSql("SET ROLE wallet_no_rights");
            config.setMaximumPoolSize(2);
            try (HikariDataSource refusing = new HikariDataSource(config);
                    Ledger ledger = new Ledger(t.dataSource(), refusing, t.config())) {
                Routed<Balance> read = ledger.reads(null).balance("p3", "GOLD_COINS");
                assertEquals(ReadSource.PRIMARY, read.source());
                assertEquals(9, read.value().balance());
                assertEquals(1, ledger.metrics().replicaUnavailable());
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
