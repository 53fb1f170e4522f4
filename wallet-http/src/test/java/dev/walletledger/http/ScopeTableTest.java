package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's scope table is held to the route table, as the error table is held to the enums: each scope's
 * row says {@link Scope#grants()} word for word, and every route is named in the row of the scope it needs
 * (open routes in the row for none). A route added without its words here fails the test.
 */
class ScopeTableTest {
    /** The words that name each route in the scope table. */
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("GET /api/v1/health", "GET /api/v1/health"),
            Map.entry("POST /api/v1/wallets/topup", "top-ups"),
            Map.entry("POST /api/v1/wallets/bonus", "bonuses"),
            Map.entry("POST /api/v1/wallets/spend", "spends"),
            Map.entry("POST /api/v1/wallets/transfer", "transfers"),
            Map.entry("POST /api/v1/transactions/{transaction_id}/reversal", "reversals"),
            Map.entry("POST /api/v1/transactions/{transaction_id}/chargeback", "chargebacks"),
            Map.entry("POST /api/v1/adjustments", "adjustments"),
            Map.entry("POST /api/v1/holds", "holds,"),
            Map.entry("POST /api/v1/holds/{hold_id}/capture", "captures"),
            Map.entry("POST /api/v1/holds/{hold_id}/void", "voids"),
            Map.entry("GET /api/v1/holds/{hold_id}", "hold reads"),
            Map.entry("GET /api/v1/wallets/{user_id}/holds", "hold reads"),
            Map.entry("GET /api/v1/wallets/{user_id}/balance", "balances"),
            Map.entry("GET /api/v1/wallets/{user_id}/lots", "lots"),
            Map.entry("GET /api/v1/reports/outstanding", "outstanding"),
            Map.entry("GET /api/v1/reports/activity", "activity"),
            Map.entry("GET /api/v1/wallets/{user_id}/transactions", "history"),
            Map.entry("GET /api/v1/transactions/{transaction_id}", "transactions"),
            Map.entry("GET /api/v1/transactions", "transactions"),
            Map.entry("POST /api/v1/batch", "batches"),
            Map.entry("GET /api/v1/assets", "assets"),
            Map.entry("GET /api/v1/openapi.json", "openapi.json"),
            Map.entry("POST /api/v1/webhooks", "webhook subscriptions (add"),
            Map.entry("GET /api/v1/webhooks", "list, read"),
            Map.entry("GET /api/v1/webhooks/{webhook_id}", "list, read"),
            Map.entry("DELETE /api/v1/webhooks/{webhook_id}", "remove"),
            Map.entry("POST /api/v1/webhooks/{webhook_id}/resume", "resume)"),
            Map.entry("GET /api/v1/events", "the event feed"),
            Map.entry("GET /api/v1/wallets/{user_id}/controls", "wallet controls"),
            Map.entry("PUT /api/v1/wallets/{user_id}/controls", "wallet controls"),
            Map.entry("GET /api/v1/wallets/{user_id}/controls/history", "wallet controls"),
            Map.entry("GET /api/v1/wallets", "user search"),
            Map.entry("POST /api/v1/verify", "verify runs"),
            Map.entry("GET /api/v1/verify/{run_id}", "verify runs"),
            Map.entry("POST /api/v1/anchor", "anchors"),
            Map.entry("GET /api/v1/anchor", "anchors"),
            Map.entry("GET /metrics", "/metrics"));

    @Test
    void eachScopesRowSaysWhatItGrantsAndNamesItsRoutes() throws IOException {
        Map<String, String> rows = scopeRows();
        Map<String, String> expected = new LinkedHashMap<>();
        for (Scope scope : Scope.values()) {
            expected.put(scope.label(), scope.grants());
        }
        Map<String, String> documented = new LinkedHashMap<>(rows);
        String open = documented.remove("none");
        assertEquals(expected, documented, "the README's scope table, row by row");

        List<String> misplaced = new ArrayList<>();
        for (Route route : AuthMatrixTest.routes()) {
            String words = NAMED.get(route.name());
            if (words == null) {
                misplaced.add(route.name() + ": no words for it in this test (and maybe not in the README)");
                continue;
            }
            // Each scope that opens the route names it in its row; no other row does.
            List<String> labels = route.scopes().isEmpty()
                    ? List.of("none")
                    : route.scopes().stream().sorted().map(Scope::label).toList();
            for (String label : labels) {
                String row = label.equals("none") ? open : rows.get(label);
                if (row == null || !row.contains(words)) {
                    misplaced.add(
                            route.name() + " is opened by " + label + ", whose row does not say \"" + words + "\"");
                }
            }
            for (Map.Entry<String, String> other : rows.entrySet()) {
                if (!labels.contains(other.getKey()) && other.getValue().contains(words)) {
                    misplaced.add(route.name() + " is also named in the row of " + other.getKey());
                }
            }
        }
        assertEquals(List.of(), misplaced);
    }

    /** The rows of the table under "**API keys and scopes.**": scope to its routes, in words. */
    private static Map<String, String> scopeRows() throws IOException {
        Map<String, String> rows = new HashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.equals("| scope | routes |")) {
                inTable = true;
                continue;
            }
            if (inTable && line.startsWith("|---")) {
                continue;
            }
            if (inTable && !line.startsWith("|")) {
                break;
            }
            if (inTable) {
                String[] cells = line.split(" \\| ", 2);
                String scope = cells[0].substring(2).replace("`", "").strip();
                rows.put(scope, cells[1].substring(0, cells[1].length() - 2).strip());
            }
        }
        return rows;
    }
}
