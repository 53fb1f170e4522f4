package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document and the route table describe the same API, route for route. */
class OpenApiTest {
    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
        JsonNode document = TestServer.JSON.readTree(WalletServer.openApi());
        assertTrue(document.get("openapi").asText().startsWith("3."));
        Set<String> documented = new HashSet<>();
        Iterator<String> paths = document.get("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            document.get("paths").get(path).fieldNames()
                    .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path));
        }
        Set<String> routed = new HashSet<>();
        // The handlers are never called here: the table is all this test reads.
        for (Route route : new Endpoints(null, null, null, () -> 0, new byte[0], "test").routes().routes()) {
            routed.add(route.name());
            JsonNode operation = document.get("paths").get(route.template()).get(route.method().toLowerCase(Locale.ROOT));
            String scope = route.scope().map(Scope::label).orElse(null);
            assertEquals(scope, operation.has("x-required-scope") ? operation.get("x-required-scope").asText() : null,
                    route.name() + ": x-required-scope differs from the route table");
            if (scope == null) {
                assertEquals("[]", operation.get("security").toString(), route.name() + " is open: security []");
            } else {
                assertTrue(operation.get("responses").has("401") && operation.get("responses").has("403"), route.name());
            }
            for (String parameter : route.queryParameters()) {
                assertTrue(operation.get("parameters").toString().contains("\"name\":\"" + parameter + "\""),
                        route.name() + " does not document query parameter " + parameter);
            }
        }
        assertEquals(routed, documented);
        assertEquals("bearer", document.at("/components/securitySchemes/bearerAuth/scheme").asText());
        assertEquals("[{\"bearerAuth\":[]}]", document.get("security").toString());
    }
}
