package dev.walletledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.OpenApi30;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The server's {@code openapi.json} as a checker of real exchanges. An answer conforms when its status is
 * documented for the operation the request addressed, every header the document marks required is there,
 * its media type is one the document names, and its body matches that schema exactly as a JSON Schema
 * validator reads it (so a {@code oneOf} two branches of which match is a failure). A request the server
 * accepted (2xx) must match the document too: its body against the request schema, its query parameters
 * against the declared ones. HEAD is checked as the GET it stands for, without a body.
 *
 * <p>Every HTTP test sends through a client that calls {@link #record}; {@link ContractExtension} fails
 * the test that caused any violation, on whatever thread it was recorded.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "https://wallet-ledger.test/openapi.json";
    private static final Set<String> PRE_ROUTING = Set.of("400", "413", "503"); // answered before a route is known
    private static final OpenApiContract INSTANCE = new OpenApiContract();
    private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();
    private static final int VIOLATIONS_KEPT_MAX = 100;

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/dev/walletledger/http/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is not on the test class path");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            this.document = JSON.readTree(text);
            this.registry = SchemaRegistry.withDefaultDialect(
                    OpenApi30.getInstance(), builder -> builder.schemas(Map.of(BASE, text)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static OpenApiContract get() {
        return INSTANCE;
    }

    /** One exchange as the client saw it. {@code requestBody} is null when the client did not keep it. */
    public record Exchange(
            String method,
            String rawPathAndQuery,
            byte[] requestBody,
            int status,
            Map<String, List<String>> responseHeaders,
            byte[] responseBody) {
        public static Exchange of(HttpRequest request, byte[] requestBody, HttpResponse<byte[]> response) {
            return of(request, requestBody, response, response.body());
        }

        /** The same, for a client that read the answer as text. */
        public static Exchange ofText(HttpRequest request, byte[] requestBody, HttpResponse<String> response) {
            return of(request, requestBody, response, response.body().getBytes(StandardCharsets.UTF_8));
        }

        private static Exchange of(HttpRequest request, byte[] requestBody, HttpResponse<?> response, byte[] body) {
            String query = request.uri().getRawQuery();
            return new Exchange(
                    request.method(),
                    request.uri().getRawPath() + (query == null ? "" : "?" + query),
                    requestBody,
                    response.statusCode(),
                    response.headers().map(),
                    body);
        }

        Optional<String> header(String name) {
            return responseHeaders.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }

        public String describe() {
            return method + " "
                    + (rawPathAndQuery.length() > 120 ? rawPathAndQuery.substring(0, 120) + "..." : rawPathAndQuery)
                    + " -> " + status;
        }
    }

    /** Checks {@code exchange} and keeps its violations for {@link ContractExtension}; returns them too. */
    public static List<String> record(Exchange exchange) {
        List<String> violations = INSTANCE.check(exchange);
        for (String violation : violations) {
            if (VIOLATIONS.size() < VIOLATIONS_KEPT_MAX) {
                VIOLATIONS.add(violation);
            }
        }
        return violations;
    }

    /** The violations recorded since the last call, and forgets them. */
    static List<String> drain() {
        List<String> drained = new ArrayList<>();
        for (String v = VIOLATIONS.poll(); v != null; v = VIOLATIONS.poll()) {
            drained.add(v);
        }
        return drained;
    }

    /** Every way {@code exchange} departs from the document; empty when it conforms. */
    public List<String> check(Exchange exchange) {
        List<String> violations = new ArrayList<>();
        String what = exchange.describe();
        if (exchange.header("X-Request-Id").isEmpty()) {
            violations.add(what + ": no X-Request-Id");
        }
        String rawPath = exchange.rawPathAndQuery().split("\\?", 2)[0];
        String method =
                exchange.method().equals("HEAD") ? "get" : exchange.method().toLowerCase(Locale.ROOT);
        Optional<String> template = template(rawPath);
        String status = Integer.toString(exchange.status());
        if (template.isEmpty() || !document.get("paths").get(template.get()).has(method)) {
            // No operation: 404 for an unknown path, 405 for a known one; or a refusal before routing.
            String expected = template.isEmpty() ? "404" : "405";
            if (!status.equals(expected) && !PRE_ROUTING.contains(status)) {
                violations.add(what + ": no documented operation, so 404, 405, 400, 413 or 503 was expected");
            } else {
                checkBody(violations, what, exchange, "application/json", "/components/schemas/Error");
            }
            return violations;
        }
        String operationPointer = "/paths/" + escape(template.get()) + "/" + method;
        JsonNode operation = document.at(operationPointer);
        JsonNode responses = operation.get("responses");
        String responsePointer = operationPointer + "/responses/" + status;
        if (!responses.has(status)) {
            violations.add(what + ": status " + status + " is not documented for " + method.toUpperCase(Locale.ROOT)
                    + " " + template.get() + " (documented: " + names(responses) + ")");
            return violations;
        }
        if (responses.get(status).has("$ref")) {
            responsePointer = responses.get(status).get("$ref").asText().substring(1);
        }
        JsonNode response = document.at(responsePointer);
        checkHeaders(violations, what, exchange, response);
        if (!exchange.method().equals("HEAD")) {
            checkContent(violations, what, exchange, response, responsePointer);
        }
        if (exchange.status() >= 200 && exchange.status() < 300) {
            checkAcceptedRequest(violations, what, exchange, operation, operationPointer);
        }
        return violations;
    }

    private void checkHeaders(List<String> violations, String what, Exchange exchange, JsonNode response) {
        JsonNode headers = response.path("headers");
        Iterator<Map.Entry<String, JsonNode>> fields = headers.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> header = fields.next();
            JsonNode definition = header.getValue().has("$ref")
                    ? document.at(header.getValue().get("$ref").asText().substring(1))
                    : header.getValue();
            if (definition.path("required").asBoolean(false)
                    && exchange.header(header.getKey()).isEmpty()) {
                violations.add(what + ": the documented header " + header.getKey() + " is missing");
            }
        }
    }

    private void checkContent(
            List<String> violations, String what, Exchange exchange, JsonNode response, String responsePointer) {
        JsonNode content = response.get("content");
        if (content == null || content.isEmpty()) {
            if (exchange.responseBody().length > 0) {
                violations.add(what + ": the document says no body, but one came");
            }
            return;
        }
        String contentType = exchange.header("Content-Type").orElse("");
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            violations.add(what + ": Content-Type " + contentType + " is not documented (" + names(content) + ")");
            return;
        }
        if (content.get(mediaType).has("schema")) {
            checkBody(
                    violations,
                    what,
                    exchange,
                    mediaType,
                    responsePointer + "/content/" + escape(mediaType) + "/schema");
        }
    }

    private void checkBody(
            List<String> violations, String what, Exchange exchange, String mediaType, String schemaPointer) {
        if (exchange.method().equals("HEAD")) {
            return;
        }
        if (!mediaType.equals("application/json")) {
            return; // text/plain: a string, whatever it holds
        }
        validate(violations, what + " (answer)", exchange.responseBody(), schemaPointer);
    }

    private void checkAcceptedRequest(
            List<String> violations, String what, Exchange exchange, JsonNode operation, String operationPointer) {
        if (exchange.requestBody() != null && operation.has("requestBody")) {
            validate(
                    violations,
                    what + " (request)",
                    exchange.requestBody(),
                    operationPointer + "/requestBody/content/application~1json/schema");
        }
        String[] parts = exchange.rawPathAndQuery().split("\\?", 2);
        JsonNode parameters = operation.path("parameters");
        if (parts.length < 2 || parameters.isEmpty()) {
            return; // an operation without parameters ignores its query string
        }
        for (String pair : parts[1].split("&")) {
            String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
            boolean declared = false;
            for (JsonNode parameter : parameters) {
                declared |= parameter.path("in").asText().equals("query")
                        && parameter.path("name").asText().equals(name);
            }
            if (!declared && !pair.isEmpty()) {
                violations.add(what + ": accepted the undocumented query parameter " + name);
            }
        }
    }

    private void validate(List<String> violations, String what, byte[] body, String schemaPointer) {
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (IOException e) {
            violations.add(what + ": the body is not JSON: " + e.getMessage());
            return;
        }
        if (instance == null || instance.isMissingNode()) {
            violations.add(what + ": the body is empty, the document says JSON");
            return;
        }
        Schema schema = schemas.computeIfAbsent(
                schemaPointer, pointer -> registry.getSchema(SchemaLocation.of(BASE + "#" + pointer)));
        for (Error error : schema.validate(instance)) {
            violations.add(what + ": " + error.getInstanceLocation() + " " + error.getMessage());
        }
    }

    /** The documented path template {@code rawPath} fills, matching segment by segment. */
    private Optional<String> template(String rawPath) {
        String[] segments = rawPath.split("/", -1);
        Iterator<String> templates = document.get("paths").fieldNames();
        while (templates.hasNext()) {
            String template = templates.next();
            String[] expected = template.split("/", -1);
            boolean fits = expected.length == segments.length;
            for (int i = 0; fits && i < expected.length; i++) {
                fits = expected[i].startsWith("{") ? !segments[i].isEmpty() : expected[i].equals(segments[i]);
            }
            if (fits) {
                return Optional.of(template);
            }
        }
        return Optional.empty();
    }

    private static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }

    private static String names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }
}
