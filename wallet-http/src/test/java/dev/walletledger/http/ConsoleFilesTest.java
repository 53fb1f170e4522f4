package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator console's files over plain HTTP: the page and its modules with their types and security
 * headers, open while the API asks for keys; everything else under {@code /console} is the API's JSON 404,
 * traversal included. And the files themselves: every one listed, within its bounds, with no inline code, no
 * HTML parsing of data, no eval, and the key never in a cookie or localStorage.
 */
class ConsoleFilesTest {
    private static final Path SOURCES = Path.of("src/main/resources/console");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static TestServer server;

    @BeforeAll
    static void start() {
        ApiKeys.Generated reader = ApiKeys.generate("reader", EnumSet.of(Scope.READ), new SecureRandom());
        server = new TestServer(TestServer.config()
                .withApiKeys(ApiKeys.parse(List.of(Map.entry("test", reader.line() + "\n")))));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return server.client.send(
                HttpRequest.newBuilder(server.uri(path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void thePageAndItsFilesAreServedWithoutAKeyAndWithTheSecurityHeaders() throws Exception {
        for (String path : List.of("/console", "/console/", "/console/index.html")) {
            HttpResponse<byte[]> page = get(path);
            assertEquals(200, page.statusCode(), path);
            assertEquals(
                    "text/html; charset=utf-8",
                    page.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("/console/console.js"), path);
            assertSecurityHeaders(page, path);
        }
        for (String name : ConsoleFiles.FILES) {
            HttpResponse<byte[]> file = get("/console/" + name);
            assertEquals(200, file.statusCode(), name);
            String type = file.headers().firstValue("Content-Type").orElseThrow();
            assertEquals(
                    name.endsWith(".js")
                            ? "text/javascript; charset=utf-8"
                            : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8",
                    type,
                    name);
            assertSecurityHeaders(file, name);
            assertTrue(
                    java.util.Arrays.equals(Files.readAllBytes(SOURCES.resolve(name)), file.body()),
                    name + " is served as written");
        }
        // The API itself still asks for its key.
        assertEquals(401, get("/api/v1/assets").statusCode());
    }

    private static void assertSecurityHeaders(HttpResponse<byte[]> answer, String what) {
        assertEquals(CSP, answer.headers().firstValue("Content-Security-Policy").orElse(null), what);
        assertEquals("DENY", answer.headers().firstValue("X-Frame-Options").orElse(null), what);
        assertEquals(
                "nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(null), what);
        assertEquals(
                "no-referrer", answer.headers().firstValue("Referrer-Policy").orElse(null), what);
        assertTrue(answer.headers().firstValue("Set-Cookie").isEmpty(), what);
    }

    @Test
    void anythingElseUnderConsoleIsTheApisJson404() throws Exception {
        for (String path : List.of(
                "/console/missing.js",
                "/console/Index.html",
                "/console/index.html/",
                "/console/a/console.js",
                "/console/..%2F..%2Fetc%2Fpasswd",
                "/console/%2e%2e/api/v1/assets",
                "/console/..%5Cconsole.js",
                "/console/.",
                "/consolex")) {
            HttpResponse<byte[]> answer = get(path);
            assertEquals(404, answer.statusCode(), path);
            assertEquals(
                    "application/json",
                    answer.headers().firstValue("Content-Type").orElseThrow(),
                    path);
            String body = new String(answer.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"code\":\"NOT_FOUND\""), path + ": " + body);
            assertFalse(body.contains("root:"), path);
        }
        // Sent raw, as a client that does not normalise dot segments would.
        for (String path : List.of("/console/../api/v1/assets", "/console/../../etc/passwd", "/console/./index.html")) {
            try (RawHttp raw = new RawHttp(server.server.port())) {
                RawHttp.Response answer = raw.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .read(false)
                        .orElseThrow();
                assertEquals(404, answer.status(), path);
                assertTrue(answer.text().contains("NOT_FOUND"), path + ": " + answer.text());
            }
        }
    }

    @Test
    void otherMethodsAre405AndHeadAnswersTheHeaders() throws Exception {
        HttpResponse<byte[]> post = server.client.send(
                HttpRequest.newBuilder(server.uri("/console/console.js"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        HttpResponse<byte[]> head = server.client.send(
                HttpRequest.newBuilder(server.uri("/console"))
                        .timeout(Duration.ofSeconds(20))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(CSP, head.headers().firstValue("Content-Security-Policy").orElseThrow());
    }

    @Test
    void everyFileIsListedAndWithinItsBounds() throws IOException {
        TreeSet<String> present = new TreeSet<>();
        long total = 0;
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.toList()) {
                present.add(file.getFileName().toString());
                long size = Files.size(file);
                assertTrue(size <= ConsoleFiles.FILE_BYTES_MAX, file + " is " + size + " bytes");
                total += size;
            }
        }
        assertEquals(new TreeSet<>(ConsoleFiles.FILES), present, "ConsoleFiles.FILES lists every file, and only them");
        assertTrue(total <= ConsoleFiles.TOTAL_BYTES_MAX, "the console is " + total + " bytes");
        System.out.printf("console: %d files, %d bytes%n", present.size(), total);
    }

    /**
     * What the CSP enforces in the browser, held in the sources too: no inline script or style, no HTML parsed
     * from strings, no eval, no other origin, and the key in sessionStorage only.
     */
    @Test
    void theSourcesHoldNoInlineCodeNoHtmlFromStringsAndNoEval() throws IOException {
        String html = Files.readString(SOURCES.resolve("index.html"));
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "inline script in index.html");
        assertFalse(html.contains("<style"), "inline style sheet in index.html");
        assertFalse(Pattern.compile("\\sstyle=").matcher(html).find(), "style attribute in index.html");
        assertFalse(Pattern.compile("\\son[a-z]+=").matcher(html).find(), "event handler attribute in index.html");
        List<String> problems = new ArrayList<>();
        Map<String, Pattern> forbidden = Map.of(
                "innerHTML/outerHTML", Pattern.compile("\\b(inner|outer)HTML\\b"),
                "insertAdjacentHTML", Pattern.compile("insertAdjacentHTML"),
                "document.write", Pattern.compile("document\\.write"),
                "eval", Pattern.compile("\\beval\\s*\\("),
                "new Function", Pattern.compile("new\\s+Function\\b"),
                "string timers", Pattern.compile("set(Timeout|Interval)\\s*\\(\\s*['\"`]"),
                "localStorage", Pattern.compile("localStorage"),
                "cookies", Pattern.compile("document\\.cookie"),
                "another origin", Pattern.compile("https?://(?!www\\.w3\\.org/2000/svg)"));
        for (String name : ConsoleFiles.FILES) {
            if (!name.endsWith(".js")) {
                continue;
            }
            String source = Files.readString(SOURCES.resolve(name));
            forbidden.forEach((what, pattern) -> {
                if (pattern.matcher(source).find()) {
                    problems.add(name + ": " + what);
                }
            });
        }
        assertEquals(List.of(), problems);
    }
}
