package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** On a server without API keys (loopback) the console asks for none and says so. */
class ConsoleOpenServerTest {
    private static TestServer server;
    private static ConsoleBrowser browser;

    @BeforeAll
    static void start() {
        assumeTrue(
                ConsoleBrowser.available(),
                "Chromium and chromedriver are not installed: the console's browser tests are skipped here");
        server = new TestServer();
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

    @Test
    void noSignInIsAskedAndTheViewsWork() {
        assertEquals(
                201,
                server.post(
                                "/api/v1/wallets/topup",
                                "{\"user_id\":\"frank-console\",\"asset_code\":\"GOLD_COINS\",\"amount\":12,"
                                        + "\"reference_id\":\"frank-console-1\"}")
                        .status());
        browser.openFresh("#/user/frank-console");
        browser.waitForText(By.id("open-server"), "No API keys on this server");
        assertTrue(browser.all(By.id("api-key")).isEmpty(), "no sign-in form");
        browser.waitForText(By.cssSelector(".balance[data-asset='GOLD_COINS']"), "12");
        browser.waitForText(By.id("controls-GOLD_COINS"), "ACTIVE");
        assertEquals(1, browser.all(By.cssSelector("#history-table tbody tr")).size());
    }
}
