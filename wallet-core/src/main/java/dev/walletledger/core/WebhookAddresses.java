package dev.walletledger.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a webhook may be sent (server-side request forgery): not to this machine, the private network or the cloud's
 * metadata service, unless the operator allows it ({@code WALLET_WEBHOOKS_ALLOW_PRIVATE=true}). A URL is checked when
 * its subscription is added, and again before every request, after its host name is resolved, so a name that
 * resolves somewhere harmless at creation and to a private address later (DNS rebinding) is refused then.
 */
public final class WebhookAddresses {
    private WebhookAddresses() {}

    /** Why {@code address} is refused, or empty when a webhook may be sent to it. */
    public static Optional<String> refusal(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("the unspecified address");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services live there)");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) {
            return Optional.of("a private address (unique local, fc00::/7)");
        }
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 0) {
                return Optional.of("an address of \"this network\" (0.0.0.0/8)");
            }
            if (first == 100 && second >= 64 && second < 128) {
                return Optional.of("a shared address (carrier-grade NAT, 100.64.0.0/10)");
            }
            if (first == 255 && second == 255 && (bytes[2] & 0xff) == 255 && (bytes[3] & 0xff) == 255) {
                return Optional.of("the broadcast address");
            }
        }
        return Optional.empty();
    }

    /**
     * Resolves {@code url}'s host and checks every address it names (all must pass: the client may use any); the
     * addresses, or none when {@code allowPrivate} (nothing to check: the name is not even looked up).
     * {@code WEBHOOK_URL_REFUSED} when one is refused or the name does not resolve. The lookup waits for the
     * system's resolver, which has its own timeouts.
     */
    public static List<InetAddress> check(String url, boolean allowPrivate) {
        if (allowPrivate) {
            return List.of();
        }
        String host = URI.create(url).getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw WalletException.of(
                    ErrorCode.WEBHOOK_URL_REFUSED,
                    "url host " + host + " does not resolve to an address",
                    Map.of("field", "url", "host", host));
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = refusal(address);
            if (refusal.isPresent()) {
                throw WalletException.of(
                        ErrorCode.WEBHOOK_URL_REFUSED,
                        "url host " + host + " is " + refusal.get() + " (" + address.getHostAddress()
                                + "); webhooks are not sent there unless the server sets"
                                + " WALLET_WEBHOOKS_ALLOW_PRIVATE=true",
                        Map.of("field", "url", "host", host, "address", address.getHostAddress()));
            }
        }
        return List.of(addresses);
    }
}
