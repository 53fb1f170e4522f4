package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletControls;
import dev.walletledger.core.WalletStatus;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.interactions.Actions;

/**
 * The operator console in a real browser (headless Chromium) against a real server on the test database, with
 * API keys: signing in, finding a user, paging the history, a reversal and a freeze each confirmed with a double
 * click and applied exactly once (counted in the database), hostile ids and metadata shown as text and never run,
 * a wrong key's 401 and a read-only key's 403s, and the economy and health views. Screenshots of each view land in
 * target/console-screenshots. Skipped when Chromium or chromedriver is not installed (CI installs both).
 */
class ConsoleBrowserTest {
    private static final String ASSET = "GOLD_COINS";
    private static final String HOSTILE_USER = "<img src=x onerror=window.__pwned=1>\"><svg onload=window.__pwned=2>";
    private static final String HOSTILE_REASON = "<script>window.__pwned=3</script>";
    private static final String HOSTILE_NOTE = "<img src=x onerror=alert(4)>";
    private static final String HOSTILE_REFERENCE = "ref-\"><svg onload=alert(5)>";

    private static ApiKeys.Generated operator;
    private static ApiKeys.Generated reader;
    private static ApiKeys.Generated support;
    private static TestServer server;
    private static ConsoleBrowser browser;

    @BeforeAll
    static void start() {
        assumeTrue(
                ConsoleBrowser.available(),
                "Chromium and chromedriver are not installed (/usr/bin/chromium, /usr/bin/chromedriver):"
                        + " the console's browser tests are skipped here; CI installs both");
        SecureRandom random = new SecureRandom();
        operator = ApiKeys.generate("console-operator", EnumSet.of(Scope.READ, Scope.WRITE, Scope.ADMIN), random);
        reader = ApiKeys.generate("console-reader", EnumSet.of(Scope.READ), random);
        support = ApiKeys.generate("console-support", EnumSet.of(Scope.SUPPORT), random);
        ApiKeys keys = ApiKeys.parse(
                List.of(Map.entry("test", operator.line() + "\n" + reader.line() + "\n" + support.line() + "\n")));
        server = new TestServer(TestServer.config().withApiKeys(keys));
        browser = new ConsoleBrowser(server.server.port());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void topUp(String user, long amount, String reference, Map<String, Object> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", user);
        body.put("asset_code", ASSET);
        body.put("amount", amount);
        body.put("reference_id", reference);
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        post("/api/v1/wallets/topup", body);
    }

    private static void post(String path, Map<String, Object> body) {
        String json;
        try {
            json = TestServer.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        TestServer.Reply reply = server.send(HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + operator.key())
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
        assertEquals(201, reply.status(), reply.text());
    }

    private static long count(String sql, Object... parameters) {
        try (Connection connection = server.ledger.dataSource().getConnection();
                PreparedStatement statement =
                        connection.prepareStatement(sql.replace("ledger_", server.ledger.schema() + ".ledger_"))) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void signInAsOperator(String hash) {
        browser.openFresh(hash);
        browser.signIn(operator.key());
        browser.waitForText(By.id("signed-in"), "console-operator");
    }

    private static int rows(String tableId) {
        return browser.all(By.cssSelector("#" + tableId + " tbody tr")).size();
    }

    /** The console itself never trips its own policy: no inline script or style, no other origin. */
    @AfterEach
    void nothingWasBlocked() {
        if (browser != null) {
            assertEquals(List.of(), browser.cspViolations());
        }
    }

    @Test
    void signInFindAUserAndPageTheHistory() {
        for (int i = 1; i <= 25; i++) {
            topUp("alice-console", i, "alice-console-" + i, Map.of("reason", "welcome pack " + i));
        }
        browser.openFresh("#/find");
        browser.waitFor(By.id("api-key"));
        browser.screenshot("sign-in");
        browser.signIn(operator.key());
        browser.waitForText(By.id("signed-in"), "console-operator");
        assertTrue(browser.driver.findElement(By.id("key-scopes")).getText().contains("admin"));
        assertEquals(
                operator.key(), browser.driver.executeScript("return sessionStorage.getItem('wallet-console-key')"));
        assertEquals("", browser.driver.executeScript("return document.cookie"));
        assertEquals(0L, browser.driver.executeScript("return localStorage.length"));

        topUp("alicia-console", 1, "alicia-console-1", null);
        browser.waitFor(By.id("find-user")).sendKeys("ali");
        browser.driver.findElement(By.id("find-user-button")).click();
        browser.waitFor(By.cssSelector("#user-list .user-link"));
        assertEquals(
                List.of("alice-console", "alicia-console"),
                browser.all(By.cssSelector("#user-list .user-link")).stream()
                        .map(WebElement::getText)
                        .toList());
        browser.screenshot("find");
        browser.driver.findElement(By.linkText("alice-console")).click();

        browser.waitForText(By.id("user-id"), "alice-console");
        browser.waitForText(By.cssSelector(".balance[data-asset='" + ASSET + "']"), "325");
        browser.waitFor(By.id("history-table"));
        assertEquals(20, rows("history-table"));
        browser.waitForText(By.id("controls-" + ASSET), "ACTIVE");
        browser.screenshot("user");

        browser.driver.findElement(By.id("history-next")).click();
        browser.waitForText(By.id("history-page"), "Page 2");
        assertEquals(5, rows("history-table"));
        assertTrue(browser.all(By.id("history-next")).isEmpty(), "the last page has no next");
        String lastPage = browser.driver.findElement(By.id("history-table")).getText();
        assertTrue(lastPage.contains("alice-console-1"), lastPage); // newest first: the first top-up is last
        browser.driver.findElement(By.id("history-previous")).click();
        browser.waitForText(By.id("history-page"), "Page 1");
        assertEquals(20, rows("history-table"));
        assertTrue(browser.driver.findElement(By.id("history-table")).getText().contains("alice-console-25"));

        browser.driver.findElement(By.id("signout")).click();
        browser.waitFor(By.id("api-key"));
        assertEquals(null, browser.driver.executeScript("return sessionStorage.getItem('wallet-console-key')"));
    }

    @Test
    void aReversalConfirmedWithADoubleClickIsAppliedOnceAndNamesItsActor() {
        topUp("bob-console", 100, "bob-console-topup", null);
        UUID original = server.ledger
                .ledger()
                .transactionByReference("bob-console-topup")
                .orElseThrow()
                .transactionId();
        long transactionsBefore = count("SELECT count(*) FROM ledger_transactions");
        signInAsOperator("#/find");
        browser.waitFor(By.id("find-tx")).sendKeys("bob-console-topup");
        browser.driver.findElement(By.id("find-tx-button")).click();
        browser.waitFor(By.id("reverse")).click();
        String reference = browser.waitFor(By.id("action-reference")).getText();
        assertTrue(reference.matches("console-[0-9a-f-]{36}"), reference);
        browser.driver.findElement(By.id("action-reason")).sendKeys("customer asked for a refund");
        browser.driver.findElement(By.id("action-review")).click();
        WebElement confirm = browser.waitFor(By.id("action-confirm"));
        browser.screenshot("confirm-reversal");
        new Actions(browser.driver).doubleClick(confirm).perform();
        browser.waitFor(By.id("action-done"));

        assertEquals(1, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
        assertEquals(transactionsBefore + 1, count("SELECT count(*) FROM ledger_transactions"));
        TransactionResult read = server.ledger.ledger().transaction(original).orElseThrow();
        assertEquals(1, read.reversals().size());
        TransactionResult reversal = server.ledger
                .ledger()
                .transaction(read.reversals().get(0).transactionId())
                .orElseThrow();
        assertEquals(reference, reversal.referenceId(), "the reference id shown when the form opened");
        assertEquals("console-operator", reversal.actor());
        assertEquals(0, server.ledger.ledger().balance("bob-console", ASSET).balance());

        browser.driver.findElement(By.id("result-transaction")).click();
        browser.waitForText(By.cssSelector("[data-field='type']"), "REVERSAL");
        assertEquals(
                "console-operator",
                browser.driver
                        .findElement(By.cssSelector("[data-field='actor']"))
                        .getText());
        assertEquals(
                "customer asked for a refund",
                browser.driver
                        .findElement(By.cssSelector("[data-field='reason']"))
                        .getText());
        browser.waitFor(By.id("reverses-link"));
        browser.screenshot("reversal");
        browser.driver.findElement(By.id("reverses-link")).click();
        browser.waitFor(By.cssSelector("#reversals .reversal-link"));
        assertTrue(browser.all(By.id("reverse")).isEmpty(), "nothing is left to reverse");
    }

    private static UUID openReversal(String user, String reason) {
        topUp(user, 100, user + "-topup", null);
        UUID original = server.ledger
                .ledger()
                .transactionByReference(user + "-topup")
                .orElseThrow()
                .transactionId();
        signInAsOperator("#/tx/" + original);
        browser.waitFor(By.id("reverse")).click();
        browser.waitFor(By.id("action-reason")).sendKeys(reason);
        return original;
    }

    /** The request never reaches the server (the browser is offline): a retry sends the same reference, once. */
    @Test
    void aRetryAfterNoAnswerSendsTheSameReferenceAndAppliesOnce() {
        UUID original = openReversal("gina-console", "duplicate purchase");
        String reference = browser.driver.findElement(By.id("action-reference")).getText();
        browser.driver.findElement(By.id("action-review")).click();
        WebElement confirm = browser.waitFor(By.id("action-confirm"));
        ChromiumNetworkConditions offline = new ChromiumNetworkConditions();
        offline.setOffline(true);
        browser.driver.setNetworkConditions(offline);
        try {
            confirm.click();
            browser.waitForText(By.id("action-outcome"), "No answer");
        } finally {
            browser.driver.deleteNetworkConditions();
        }
        assertEquals(0, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
        assertEquals("Retry (same reference id)", confirm.getText());
        confirm.click();
        browser.waitFor(By.id("action-done"));
        assertEquals(1, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
        UUID reversal = server.ledger
                .ledger()
                .transaction(original)
                .orElseThrow()
                .reversals()
                .get(0)
                .transactionId();
        assertEquals(
                reference,
                server.ledger.ledger().transaction(reversal).orElseThrow().referenceId());
    }

    /**
     * A refusal is an answer: nothing was applied, and the ledger binds it to the reference. Changing the form
     * after it takes a new reference id, and the corrected reversal applies once.
     */
    @Test
    void aCorrectionAfterARefusalTakesANewReference() {
        UUID original = openReversal("hana-console", "partial refund");
        String first = browser.driver.findElement(By.id("action-reference")).getText();
        browser.driver.findElement(By.id("action-amount")).sendKeys("500");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitForText(By.id("action-outcome"), "Refused");
        assertTrue(browser.driver.findElement(By.id("action-outcome")).getText().contains("Nothing was applied"));
        browser.driver.findElement(By.id("action-back")).click();
        String second = browser.waitFor(By.id("action-reference")).getText();
        assertFalse(second.equals(first), "a new reference id after the refusal");
        WebElement amount = browser.driver.findElement(By.id("action-amount"));
        amount.clear();
        amount.sendKeys("40");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        assertEquals(1, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
        TransactionResult reversal = server.ledger
                .ledger()
                .transaction(server.ledger
                        .ledger()
                        .transaction(original)
                        .orElseThrow()
                        .reversals()
                        .get(0)
                        .transactionId())
                .orElseThrow();
        assertEquals(second, reversal.referenceId());
        assertEquals(40, reversal.amount());
    }

    /** The other actions, each once: an adjustment, a hold's void, a chargeback; each records its reason. */
    @Test
    void anAdjustmentAVoidAndAChargeback() {
        topUp("ivan-console", 100, "ivan-console-topup", null);
        post(
                "/api/v1/holds",
                Map.of(
                        "user_id",
                        "ivan-console",
                        "asset_code",
                        ASSET,
                        "amount",
                        30,
                        "reference_id",
                        "ivan-console-hold",
                        "expires_in_seconds",
                        3600));
        UUID hold = server.ledger
                .ledger()
                .transactionByReference("ivan-console-hold")
                .orElseThrow()
                .holdId()
                .orElseThrow();
        signInAsOperator("#/user/ivan-console");

        browser.waitFor(By.cssSelector("#balance-table [data-act='adjust']")).click();
        browser.waitFor(By.id("action-amount")).sendKeys("5");
        browser.driver.findElement(By.id("action-reason")).sendKeys("goodwill for the outage");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        String adjustment =
                browser.driver.findElement(By.id("confirm-reference")).getText();
        TransactionResult adjusted =
                server.ledger.ledger().transactionByReference(adjustment).orElseThrow();
        assertEquals(5, adjusted.amount());
        assertEquals("console-operator", adjusted.actor());

        browser.waitFor(By.cssSelector(".holds [data-act='void']")).click();
        browser.waitFor(By.id("action-reason")).sendKeys("order cancelled");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        assertEquals(
                dev.walletledger.core.Hold.Status.VOIDED,
                server.ledger.ledger().hold(hold).orElseThrow().status());
        String voided = browser.driver.findElement(By.id("confirm-reference")).getText();
        assertTrue(server.ledger
                .ledger()
                .transactionByReference(voided)
                .orElseThrow()
                .metadata()
                .json()
                .contains("order cancelled"));

        UUID topUp = server.ledger
                .ledger()
                .transactionByReference("ivan-console-topup")
                .orElseThrow()
                .transactionId();
        browser.go("#/tx/" + topUp);
        browser.waitFor(By.id("chargeback")).click();
        browser.waitFor(By.id("action-reason")).sendKeys("card issuer dispute 4411");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        assertEquals(
                1, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ? AND type = 'CHARGEBACK'", topUp));
        String chargeback =
                browser.driver.findElement(By.id("confirm-reference")).getText();
        assertTrue(server.ledger
                .ledger()
                .transactionByReference(chargeback)
                .orElseThrow()
                .metadata()
                .json()
                .contains("card issuer dispute 4411"));
    }

    @Test
    void aFreezeConfirmedWithADoubleClickIsRecordedOnce() {
        topUp("carol-console", 50, "carol-console-topup", null);
        signInAsOperator("#/user/carol-console");
        browser.waitFor(By.id("freeze-" + ASSET)).click();
        browser.waitFor(By.id("action-reason")).sendKeys("chargeback pattern under review");
        browser.driver.findElement(By.id("action-review")).click();
        new Actions(browser.driver)
                .doubleClick(browser.waitFor(By.id("action-confirm")))
                .perform();
        browser.waitFor(By.id("action-done"));
        browser.waitFor(By.id("unfreeze-" + ASSET));
        browser.screenshot("freeze");

        List<WalletControls> changes = server.ledger.ledger().controlsHistory("carol-console", ASSET);
        assertEquals(1, changes.size(), changes.toString());
        assertEquals(WalletStatus.FROZEN, changes.get(0).status());
        assertEquals("console-operator", changes.get(0).actor().orElseThrow());
        assertEquals("chargeback pattern under review", changes.get(0).reason().orElseThrow());
        assertEquals(
                WalletStatus.FROZEN,
                server.ledger.ledger().controls("carol-console", ASSET).status());

        browser.driver
                .findElement(By.cssSelector("#controls-" + ASSET + " [data-act='limits']"))
                .click();
        browser.waitFor(By.id("action-max_balance")).sendKeys("1000");
        browser.driver.findElement(By.id("action-reason")).sendKeys("cap while under review");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        browser.waitForText(By.id("controls-" + ASSET), "1000");
        browser.waitFor(By.id("unfreeze-" + ASSET)).click();
        browser.waitFor(By.id("action-reason")).sendKeys("review done");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitFor(By.id("action-done"));
        browser.waitFor(By.id("freeze-" + ASSET));
        WalletControls now = server.ledger.ledger().controls("carol-console", ASSET);
        assertEquals(WalletStatus.ACTIVE, now.status());
        assertEquals(1000, now.maxBalance().orElseThrow());
        assertEquals(
                3,
                server.ledger.ledger().controlsHistory("carol-console", ASSET).size());
    }

    @Test
    void hostileIdsAndMetadataAreShownAsTextAndNeverRun() {
        topUp(HOSTILE_USER, 7, HOSTILE_REFERENCE, Map.of("reason", HOSTILE_REASON, "note", HOSTILE_NOTE));
        signInAsOperator("#/find");
        browser.waitFor(By.id("find-user")).sendKeys(HOSTILE_USER);
        browser.driver.findElement(By.id("find-user-button")).click();
        browser.waitFor(By.id("open-exact")).click();
        browser.waitFor(By.id("history-table"));
        assertEquals(HOSTILE_USER, browser.driver.findElement(By.id("user-id")).getText());
        String history = browser.driver.findElement(By.id("history-table")).getText();
        assertTrue(history.contains(HOSTILE_REASON), history);
        assertTrue(history.contains(HOSTILE_REFERENCE), history);
        browser.screenshot("hostile-user");

        browser.go("#/find");
        browser.waitFor(By.id("find-tx")).sendKeys(HOSTILE_REFERENCE);
        browser.driver.findElement(By.id("find-tx-button")).click();
        browser.waitForText(By.id("metadata-reason"), HOSTILE_REASON);
        assertTrue(browser.driver.findElement(By.id("metadata")).getText().contains(HOSTILE_NOTE));
        assertEquals(
                HOSTILE_USER,
                browser.driver
                        .findElement(By.cssSelector("[data-field='user_id']"))
                        .getText());
        browser.screenshot("hostile-transaction");

        assertFalse(browser.alertOpen(), "an alert opened");
        assertEquals("undefined", browser.driver.executeScript("return typeof window.__pwned"));
        assertEquals(
                0L,
                browser.driver.executeScript(
                        "return document.querySelectorAll('img, script:not([src]), [onerror], [onload]').length"));

        // And the policy holds on its own: an inline script slipped into the page is blocked, and reported.
        browser.driver.executeScript("const s = document.createElement('script');"
                + " s.textContent = 'window.__pwned = 9'; document.body.appendChild(s);");
        browser.waitUntil(
                "the inline script is reported blocked",
                () -> !browser.cspViolations().isEmpty());
        assertTrue(
                browser.cspViolations().get(0).toString().startsWith("script-src"),
                browser.cspViolations().toString());
        browser.driver.executeScript("window.__cspViolations = []");
        assertEquals("undefined", browser.driver.executeScript("return typeof window.__pwned"));
    }

    @Test
    void aWrongKeyShowsTheServersRefusal() {
        String wrong = "wlk_nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        TestServer.Reply refused = server.send(HttpRequest.newBuilder(server.uri("/api/v1/assets"))
                .header("Authorization", "Bearer " + wrong)
                .build());
        assertEquals(401, refused.status());
        String message = refused.json().path("error").path("message").asText();

        browser.openFresh("#/find");
        browser.signIn(wrong);
        browser.waitForText(By.cssSelector("#signin .error"), "401 UNAUTHENTICATED");
        assertTrue(browser.driver
                .findElement(By.cssSelector("#signin .error"))
                .getText()
                .contains(message));
        assertEquals(null, browser.driver.executeScript("return sessionStorage.getItem('wallet-console-key')"));
        browser.screenshot("wrong-key");

        browser.signIn("not a key");
        browser.waitForText(By.cssSelector("#signin .error"), "NOT_A_KEY");
    }

    @Test
    void aReadOnlyKeyReadsAndSeesEachRefusalPlainly() {
        topUp("dave-console", 30, "dave-console-topup", null);
        UUID original = server.ledger
                .ledger()
                .transactionByReference("dave-console-topup")
                .orElseThrow()
                .transactionId();
        browser.openFresh("#/user/dave-console");
        browser.signIn(reader.key());
        browser.waitForText(By.id("signed-in"), "console-reader");
        String scopes = browser.driver.findElement(By.id("key-scopes")).getText();
        assertTrue(scopes.contains("read wallets"), scopes);
        assertFalse(scopes.contains("admin"), scopes);
        browser.waitForText(By.cssSelector(".balance[data-asset='" + ASSET + "']"), "30");
        browser.waitForText(By.id("controls-" + ASSET), "403 FORBIDDEN");
        assertTrue(browser.driver
                .findElement(By.id("controls-" + ASSET))
                .getText()
                .contains("needs the admin or support scope"));

        browser.go("#/tx/" + original);
        browser.waitFor(By.id("reverse")).click();
        browser.waitFor(By.id("action-reason")).sendKeys("trying without the scope");
        browser.driver.findElement(By.id("action-review")).click();
        browser.waitFor(By.id("action-confirm")).click();
        browser.waitForText(By.id("action-outcome"), "403 FORBIDDEN");
        assertTrue(browser.driver
                .findElement(By.id("action-outcome"))
                .getText()
                .contains("needs the write or support scope"));
        assertEquals(
                "Retry (same reference id)",
                browser.driver.findElement(By.id("action-confirm")).getText());
        browser.screenshot("forbidden");
        assertEquals(0, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
    }

    /** The key the README proposes for the console: the support scope alone. */
    @Test
    void aSupportKeyReversesFreezesAndReadsTheReports() {
        topUp("sue-console", 50, "sue-console-topup", null);
        UUID original = server.ledger
                .ledger()
                .transactionByReference("sue-console-topup")
                .orElseThrow()
                .transactionId();
        browser.openFresh("#/tx/" + original);
        browser.signIn(support.key());
        browser.waitForText(By.id("signed-in"), "console-support");
        browser.waitFor(By.id("reverse")).click();
        browser.waitFor(By.id("action-reason")).sendKeys("refund by support");
        browser.driver.findElement(By.id("action-review")).click();
        new Actions(browser.driver)
                .doubleClick(browser.waitFor(By.id("action-confirm")))
                .perform();
        browser.waitFor(By.id("action-done"));
        assertEquals(1, count("SELECT count(*) FROM ledger_transactions WHERE reverses = ?", original));
        TransactionResult read = server.ledger.ledger().transaction(original).orElseThrow();
        assertEquals(
                "console-support",
                server.ledger
                        .ledger()
                        .transaction(read.reversals().get(0).transactionId())
                        .orElseThrow()
                        .actor());

        browser.go("#/user/sue-console");
        browser.waitForText(By.id("controls-" + ASSET), "ACTIVE");
        assertFalse(
                browser.driver.findElement(By.id("controls-" + ASSET)).getText().contains("403"));

        browser.go("#/economy");
        browser.waitFor(By.id("outstanding-table"));
        assertTrue(
                browser.driver.findElement(By.id("outstanding-table")).getText().contains(ASSET));
    }

    @Test
    void theEconomyAndHealthViews() {
        topUp("erin-console", 40, "erin-console-topup", null);
        // The reports' "now" is a second ago (the server refuses moments past its clock): let the top-up fall
        // before it. A bounded wait on the database's clock, not an assertion on time.
        for (int i = 0;
                i < 100
                        && count("SELECT count(*) FROM ledger_transactions WHERE created_at > clock_timestamp()"
                                        + " - interval '2 seconds'")
                                > 0;
                i++) {
            sleep(100);
        }
        signInAsOperator("#/economy");
        browser.waitFor(By.id("outstanding-table"));
        browser.waitFor(By.id("activity-table"));
        assertTrue(browser.all(By.cssSelector("#outstanding-chart rect")).size() >= 3);
        assertTrue(
                browser.driver.findElement(By.id("outstanding-table")).getText().contains(ASSET));
        browser.screenshot("economy");
        String download = browser.driver.findElement(By.id("outstanding-csv")).getAttribute("download");
        assertTrue(download.matches("outstanding-[0-9]{8}T[0-9]{6}Z\\.csv"), download);

        // Carriage returns are spelled out: the driver's answer would lose them.
        Object csv = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/csv.js').then((m) => done(m.toCsv(['a', 'b'],"
                + " [['=1+2', 'x,\"y\"'], ['@SUM(A1)', '-3'], ['+x', 'plain']]).replace(/\\r/g, '<CR>')),"
                + " (e) => done(String(e)));");
        assertEquals("a,b<CR>\n\"'=1+2\",\"x,\"\"y\"\"\"<CR>\n\"'@SUM(A1)\",\"'-3\"<CR>\n\"'+x\",plain<CR>\n", csv);

        browser.go("#/health");
        browser.waitFor(By.id("anchor-take")).click();
        String anchor = browser.waitFor(By.id("anchor-line")).getText();
        assertTrue(anchor.startsWith("wl1."), anchor);
        browser.driver.findElement(By.id("verify-anchor")).sendKeys(anchor);
        browser.driver.findElement(By.id("verify-start")).click();
        browser.waitForText(By.id("verify-outcome"), "passed");
        assertTrue(browser.driver.findElement(By.id("verify-report")).getText().contains("\"consistent\": true"));
        browser.waitFor(By.id("traffic-table"));
        browser.waitFor(By.id("traffic-spark"));
        Double.parseDouble(browser.driver.findElement(By.id("traffic-total")).getText());
        browser.waitFor(By.id("wal-status"));
        browser.waitForText(By.id("health-status"), "ok");
        browser.waitForText(By.id("webhooks"), "No subscriptions.");
        browser.screenshot("health");
    }
}
