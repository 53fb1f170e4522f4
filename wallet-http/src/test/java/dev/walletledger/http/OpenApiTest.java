package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document and the route table describe the same API, route for route. */
class OpenApiTest {
    /** A key written twice is read as its last value by most tools and refused by strict ones: never twice. */
    @Test
    void theDocumentHasNoKeyTwice() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper strict = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        assertTrue(strict.readTree(WalletServer.openApi()).has("paths"));
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
        JsonNode document = TestServer.JSON.readTree(WalletServer.openApi());
        assertTrue(document.get("openapi").asText().startsWith("3."));
        Set<String> documented = new HashSet<>();
        Iterator<String> paths = document.get("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            document.get("paths")
                    .get(path)
                    .fieldNames()
                    .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path));
        }
        Set<String> routed = new HashSet<>();
        // The handlers are never called here: the table is all this test reads.
        for (Route route : new Endpoints(null, null, null, () -> 0, new byte[0], "test", null)
                .routes()
                .routes()) {
            routed.add(route.name());
            JsonNode operation = document.get("paths")
                    .get(route.template())
                    .get(route.method().toLowerCase(Locale.ROOT));
            // x-required-scope lists the scopes that open the operation (any one); absent on open ones.
            String scopes = route.scopes().isEmpty()
                    ? null
                    : route.scopes().stream()
                            .sorted()
                            .map(scope -> "\"" + scope.label() + "\"")
                            .collect(java.util.stream.Collectors.joining(",", "[", "]"));
            assertEquals(
                    scopes,
                    operation.has("x-required-scope")
                            ? operation.get("x-required-scope").toString()
                            : null,
                    route.name() + ": x-required-scope differs from the route table");
            assertEquals(
                    route.players(),
                    operation.path("x-player-token").asBoolean(false),
                    route.name() + ": x-player-token differs from the route table");
            if (scopes == null) {
                assertEquals("[]", operation.get("security").toString(), route.name() + " is open: security []");
            } else {
                assertTrue(
                        operation.get("responses").has("401")
                                && operation.get("responses").has("403"),
                        route.name());
            }
            for (String parameter : route.queryParameters()) {
                assertTrue(
                        operation.get("parameters").toString().contains("\"name\":\"" + parameter + "\""),
                        route.name() + " does not document query parameter " + parameter);
            }
        }
        assertEquals(routed, documented);
        assertEquals(
                "bearer",
                document.at("/components/securitySchemes/bearerAuth/scheme").asText());
        // Keys, or none at all (a server without keys, loopback only): a validating proxy must allow both.
        assertEquals("[{\"bearerAuth\":[]},{}]", document.get("security").toString());
    }

    /** What generated clients and validating proxies need of the document, beyond what linters check. */
    @Test
    void theDocumentGivesGeneratedClientsWhatTheyNeed() throws Exception {
        JsonNode document = TestServer.JSON.readTree(WalletServer.openApi());
        List<String> problems = new ArrayList<>();
        integersWithoutFormat(document, "", problems);
        document.get("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                    for (String status : List.of("400", "405", "413", "500", "503")) {
                        if (!op.getValue().get("responses").has(status)) {
                            problems.add(op.getKey() + " " + path.getKey() + " does not document " + status);
                        }
                    }
                    op.getValue().get("responses").fields().forEachRemaining(response -> {
                        JsonNode resolved = resolve(document, response.getValue());
                        resolved.path("content").forEach(media -> {
                            if (!media.has("schema")) {
                                problems.add(
                                        op.getKey() + " " + path.getKey() + " " + response.getKey() + " has no schema");
                            }
                        });
                    });
                }));
        assertEquals(List.of(), problems);
        JsonNode item = document.at("/components/schemas/BatchRequest/properties/operations/items");
        JsonNode operation = resolve(document, item);
        assertEquals("type", operation.at("/discriminator/propertyName").asText());
        for (String type : List.of("TOPUP", "BONUS", "SPEND")) {
            JsonNode schema = document.at(
                    operation.at("/discriminator/mapping/" + type).asText().substring(1));
            assertEquals(
                    "[\"" + type + "\"]", schema.at("/properties/type/enum").toString());
            for (String field : List.of("type", "user_id", "asset_code", "amount", "reference_id")) {
                assertTrue(schema.get("required").toString().contains("\"" + field + "\""), type + " " + field);
            }
        }
    }

    private static JsonNode resolve(JsonNode document, JsonNode node) {
        return node.has("$ref") ? document.at(node.get("$ref").asText().substring(1)) : node;
    }

    /** Generated Java turns an integer without a format into {@code Integer}: an entry id would overflow. */
    private static void integersWithoutFormat(JsonNode node, String at, List<String> problems) {
        if (node.isObject()) {
            if ("integer".equals(node.path("type").asText()) && !node.has("format")) {
                problems.add(at + " is an integer without a format");
            }
            node.fields()
                    .forEachRemaining(
                            field -> integersWithoutFormat(field.getValue(), at + "/" + field.getKey(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                integersWithoutFormat(node.get(i), at + "/" + i, problems);
            }
        }
    }
}
