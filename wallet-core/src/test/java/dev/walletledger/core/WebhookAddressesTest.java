package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The addresses webhooks are refused (SSRF), by literal: no name service is asked. */
class WebhookAddressesTest {
    private static final List<String> REFUSED = List.of(
            "127.0.0.1",
            "127.8.9.10",
            "::1", // loopback
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1", // RFC 1918
            "fc00::1",
            "fd12:3456::1", // unique local
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1", // link-local, cloud metadata
            "0.0.0.0",
            "::",
            "0.1.2.3", // unspecified, "this network"
            "224.0.0.1",
            "ff02::1",
            "255.255.255.255", // multicast, broadcast
            "100.64.0.1", // shared (CGNAT)
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254"); // IPv4-mapped

    private static final List<String> ALLOWED =
            List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700::1111");

    @Test
    void privateLoopbackLinkLocalUnspecifiedAndMulticastAreRefused() throws Exception {
        for (String literal : REFUSED) {
            assertTrue(WebhookAddresses.refusal(InetAddress.getByName(literal)).isPresent(), literal);
        }
        for (String literal : ALLOWED) {
            assertEquals(java.util.Optional.empty(), WebhookAddresses.refusal(InetAddress.getByName(literal)), literal);
        }
    }

    @Test
    void aUrlIsCheckedByEveryAddressItsHostNamesUnlessPrivateIsAllowed() {
        for (String url : List.of(
                "http://127.0.0.1:8080/hook",
                "http://[::1]/hook",
                "https://169.254.169.254/latest/meta-data",
                "http://10.0.0.7/",
                "http://[fd00::7]/",
                "http://localhost/hook")) {
            WalletException refused = assertThrows(WalletException.class, () -> WebhookAddresses.check(url, false));
            assertEquals(ErrorCode.WEBHOOK_URL_REFUSED, refused.code(), url);
            assertEquals("url", refused.details().get("field"));
            assertEquals(List.of(), WebhookAddresses.check(url, true)); // allowed by the operator: not even looked up
        }
        assertEquals(
                1, WebhookAddresses.check("http://203.0.113.10/hook", false).size());
    }
}
