package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.walletledger.core.Operation;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The claim at SERIALIZABLE: a reference it inserts is not looked up, so its transaction holds no predicate lock
 * on the pages of the outcomes' indexes, where writers under nearby references insert (every such lock turned
 * unrelated writes into serialization failures); a reference bound already is still answered with its outcome.
 */
class ReferencesTest {
    @Test
    void aNewReferenceIsClaimedWithoutReadingTheOutcomes() throws Exception {
        try (TestLedger t = TestDatabase.newLedger();
                Connection c = TestDatabase.superuser()) {
            TransactionResult applied = t.ledger().apply(Operation.topUp("alice", "GOLD_COINS", 10, "bound-1"));
            SqlText sql = new SqlText(t.schema());
            References references = new References(sql, new TransactionReader(sql, Accounts.LOTS));
            c.setAutoCommit(false);
            try (Statement statement = c.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            }

            References.Claim fresh = references.claim(c, List.of("new-1", "new-2"));
            assertEquals(Set.of("new-1", "new-2"), fresh.claimed());
            assertEquals(0, fresh.bound().size());
            assertEquals(List.of(), outcomeLocks(c, t.schema()), "the predicate locks the claim took on outcomes");

            References.Claim again = references.claim(c, List.of("bound-1", "new-3"));
            assertEquals(Set.of("new-3"), again.claimed());
            References.AppliedTo bound =
                    assertInstanceOf(References.AppliedTo.class, again.bound().get("bound-1"));
            assertEquals(applied.transactionId(), bound.result().transactionId());
            c.rollback();
        }
    }

    /** This backend's SIRead locks on the outcomes' tables and indexes, as "locktype relation". */
    private static List<String> outcomeLocks(Connection c, String schema) throws Exception {
        List<String> locks = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement("""
                SELECT l.locktype || ' ' || r.relname FROM pg_locks l
                  JOIN pg_class r ON r.oid = l.relation JOIN pg_namespace n ON n.oid = r.relnamespace
                 WHERE l.pid = pg_backend_pid() AND l.mode = 'SIReadLock' AND n.nspname = ?
                   AND r.relname LIKE ANY (ARRAY['ledger_transactions%', 'ledger_refusals%']) ORDER BY 1""")) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    locks.add(rows.getString(1));
                }
            }
        }
        return locks;
    }
}
