package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook subscriptions in the library and the database: what a request may hold, the lease (one owner at a time,
 * every update fenced by it), and what the database refuses (V7's triggers), run against real PostgreSQL.
 */
class WebhooksTest {
    private static TestLedger t;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        t = TestDatabase.newLedger();
        ledger = t.ledger();
        ledger.topUp(Operation.topUp("hook-ann", "GOLD_COINS", 10, "hook-1"));
        ledger.topUp(Operation.topUp("hook-ann", "GOLD_COINS", 10, "hook-2"));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private static Webhook add(String after) {
        return ledger.addWebhook(
                new WebhookRequest("https://203.0.113.10/hook", Set.of(), Optional.empty(), Optional.of(after)), "t");
    }

    @Test
    void aRequestIsCheckedFieldByField() {
        for (String url : List.of(
                "",
                "ftp://203.0.113.10/x",
                "HTTP://203.0.113.10/x",
                "https://u:p@203.0.113.10/x",
                "https:///x",
                "https://203.0.113.10/x#frag",
                "https://203.0.113.10/a b",
                "https://203.0.113.10/" + "x".repeat(2_000),
                "javascript:alert(1)",
                "https://203.0.113.10/\u00e9")) {
            WalletException e = assertThrows(WalletException.class, () -> WebhookRequest.to(url), url);
            assertEquals("url", e.details().get("field"), url);
        }
        assertThrows(
                WalletException.class,
                () -> new WebhookRequest("https://203.0.113.10/x", Set.of("nope.nope"), null, null));
        for (String secret : List.of("whsec_", "whsec_!!!", "secret", "whsec_" + "QUFB".repeat(4))) {
            WalletException e = assertThrows(
                    WalletException.class,
                    () -> new WebhookRequest("https://203.0.113.10/x", Set.of(), Optional.of(secret), null));
            assertEquals("secret", e.details().get("field"));
        }
        WalletException past = assertThrows(WalletException.class, () -> add("999999"));
        assertEquals("after", past.details().get("field"));
        assertEquals(
                ErrorCode.WEBHOOK_NOT_FOUND,
                assertThrows(WalletException.class, () -> ledger.removeWebhook(UUID.randomUUID(), "t"))
                        .code());
        Webhook added = add("0");
        assertTrue(added.secret().orElseThrow().startsWith("whsec_"));
        assertFalse(added.toString().contains(added.secret().get()), "toString masks the secret");
        assertEquals(Optional.empty(), ledger.webhook(added.id()).orElseThrow().secret(), "shown once");
        ledger.removeWebhook(added.id(), "t");
    }

    @Test
    void oneOwnerAtATimeAndEveryUpdateIsFencedByIt() {
        Webhook added = add("0");
        WebhookDeliveries first = ledger.webhookDeliveries(UUID.randomUUID());
        WebhookDeliveries second = ledger.webhookDeliveries(UUID.randomUUID());
        String end = ledger.eventsEnd();
        assertTrue(first.lease(10, 60_000, end).stream().anyMatch(l -> l.id().equals(added.id())));
        assertTrue(second.lease(10, 60_000, end).stream().noneMatch(l -> l.id().equals(added.id())));
        assertFalse(second.renew(added.id(), 60_000));
        assertFalse(second.advance(added.id(), "0", "1"), "not the owner: the cursor stays");
        assertTrue(first.advance(added.id(), "0", "1"));
        assertFalse(first.advance(added.id(), "0", "2"), "the cursor is no longer 0");
        assertEquals("1", ledger.webhook(added.id()).orElseThrow().cursor());

        // A failure past the window (0 ms) gives the lease up and stops delivery.
        assertEquals(
                Optional.of(Webhook.Status.FAILING), first.failed(added.id(), "HTTP 503", OptionalInt.of(503), 10, 0));
        Webhook failing = ledger.webhook(added.id()).orElseThrow();
        assertEquals(Webhook.Status.FAILING, failing.status());
        assertEquals(OptionalInt.of(503), failing.lastStatus());
        assertTrue(failing.failingSince().isPresent());
        assertTrue(second.lease(10, 60_000, end).stream().noneMatch(l -> l.id().equals(added.id())));

        Webhook resumed = ledger.resumeWebhook(added.id(), "t");
        assertEquals(Webhook.Status.ACTIVE, resumed.status());
        assertEquals("1", resumed.cursor(), "resumed from the same cursor");
        assertEquals(0, resumed.attempts());
        List<WebhookLease> taken = second.lease(10, 60_000, end);
        assertTrue(taken.stream()
                .anyMatch(l -> l.id().equals(added.id()) && l.cursor().equals("1")));
        assertFalse(first.advance(added.id(), "1", "2"), "the first owner lost the lease");
        assertTrue(second.advance(added.id(), "1", "2"));

        Webhook removed = ledger.removeWebhook(added.id(), "t");
        assertEquals(Webhook.Status.REMOVED, removed.status());
        assertFalse(second.renew(added.id(), 60_000), "a removed subscription is no one's");
        assertEquals(
                ErrorCode.WEBHOOK_REMOVED,
                assertThrows(WalletException.class, () -> ledger.resumeWebhook(added.id(), "t"))
                        .code());
        assertEquals(removed.removedAt(), ledger.removeWebhook(added.id(), "t").removedAt(), "removed once");
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsFormerOwnerMovesNothing() throws InterruptedException {
        Webhook added = add("0");
        WebhookDeliveries first = ledger.webhookDeliveries(UUID.randomUUID());
        WebhookDeliveries second = ledger.webhookDeliveries(UUID.randomUUID());
        String end = ledger.eventsEnd();
        assertTrue(first.lease(10, 1, end).stream().anyMatch(l -> l.id().equals(added.id())));
        boolean taken = false;
        for (int i = 0; i < 500 && !taken; i++) { // at most 5 s for 1 ms to pass on the database's clock
            taken = second.lease(10, 60_000, end).stream().anyMatch(l -> l.id().equals(added.id()));
            if (!taken) {
                Thread.sleep(10);
            }
        }
        assertTrue(taken);
        assertFalse(first.renew(added.id(), 60_000));
        assertFalse(first.advance(added.id(), "0", "1"));
        assertTrue(second.advance(added.id(), "0", "1"));
        ledger.removeWebhook(added.id(), "t");
    }

    @Test
    void theDatabaseRefusesWhatTheLedgerNeverDoes() throws SQLException {
        Webhook added = add("0");
        WebhookDeliveries owner = ledger.webhookDeliveries(UUID.randomUUID());
        owner.lease(10, 60_000, ledger.eventsEnd());
        assertTrue(owner.advance(added.id(), "0", "2"));
        String row = t.schema() + ".webhook_subscriptions WHERE id = '" + added.id() + "'";
        assertEquals("WL001", refused("DELETE FROM " + row));
        assertEquals("WL001", refused("TRUNCATE " + t.schema() + ".webhook_subscriptions"));
        assertEquals(
                "WL002",
                refused("UPDATE " + t.schema() + ".webhook_subscriptions SET url = 'https://203.0.113.11/'"
                        + " WHERE id = '" + added.id() + "'"));
        assertEquals(
                "WL002",
                refused("UPDATE " + t.schema() + ".webhook_subscriptions SET secret = 'whsec_"
                        + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=' WHERE id = '" + added.id() + "'"));
        assertEquals(
                "WL002",
                refused("UPDATE " + t.schema() + ".webhook_subscriptions SET delivered = 1" + " WHERE id = '"
                        + added.id() + "'"));
        assertEquals(
                "23514",
                refused("UPDATE " + t.schema() + ".webhook_subscriptions SET status = 'FAILING'" + " WHERE id = '"
                        + added.id() + "'"));
        ledger.removeWebhook(added.id(), "t");
        assertEquals(
                "WL002",
                refused("UPDATE " + t.schema() + ".webhook_subscriptions SET next_attempt_at = now()" + " WHERE id = '"
                        + added.id() + "'"));
    }

    /** The SQLState the statement is refused with. */
    private static String refused(String sql) {
        try (Connection connection = t.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            return e.getSQLState();
        }
        throw new AssertionError("not refused: " + sql);
    }
}
