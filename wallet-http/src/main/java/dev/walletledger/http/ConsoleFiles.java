package dev.walletledger.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator console's static files (HTML, CSS, ES modules), read from the jar once at start and served from
 * memory at {@code /console}, {@code /console/} and {@code /console/<name>}. The console is a client of the API
 * like any other, not part of it: it has no route in the route table or in openapi.json, holds no data, and asks
 * for no key (its API calls carry the operator's).
 *
 * <p>Only the names in {@link #FILES} are served, looked up as whole strings: a request for anything else, a
 * directory, a nested path or a {@code ..} is the API's ordinary 404, so no path is ever joined to a file system
 * path. Every answer carries a strict Content-Security-Policy (scripts and styles from this origin only, no
 * inline code, API calls to this origin only) and the headers that keep the page out of frames and sniffing.
 */
final class ConsoleFiles {
    /** The path prefix; {@code /console} alone and {@code /console/} both answer the page. */
    static final String PATH = "/console";

    /** Every file served, by name; ConsoleFilesTest holds this list to the resources directory. */
    static final List<String> FILES = List.of(
            "index.html",
            "console.css",
            "console.js",
            "api.js",
            "dom.js",
            "format.js",
            "signin.js",
            "find.js",
            "user.js",
            "transaction.js",
            "actions.js",
            "economy.js",
            "health.js",
            "csv.js",
            "chart.js",
            "metrics.js");

    /** One file's bound: the console is small, and a file past it is a packaging mistake refused at start. */
    static final int FILE_BYTES_MAX = 128 * 1024;
    /** All files' bound together (what the server holds in memory for the console). */
    static final int TOTAL_BYTES_MAX = 512 * 1024;

    /** The security headers on every console answer. */
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
                    + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Frame-Options",
            "DENY",
            "X-Content-Type-Options",
            "nosniff",
            "Referrer-Policy",
            "no-referrer",
            "Cross-Origin-Opener-Policy",
            "same-origin",
            "Cross-Origin-Resource-Policy",
            "same-origin");

    private static final String RESOURCE_DIRECTORY = "/console/";

    private final Map<String, HttpResponse> files;

    private ConsoleFiles(Map<String, HttpResponse> files) {
        this.files = Map.copyOf(files);
    }

    /** The files shipped in the jar; a missing or oversized one stops the server from starting. */
    static ConsoleFiles bundled() {
        Map<String, HttpResponse> files = new LinkedHashMap<>();
        long total = 0;
        for (String name : FILES) {
            byte[] body = read(name);
            total += body.length;
            files.put(name, new HttpResponse(200, body, contentType(name), HEADERS));
        }
        if (total > TOTAL_BYTES_MAX) {
            throw new IllegalStateException(
                    "the console's files hold " + total + " bytes, over the bound of " + TOTAL_BYTES_MAX);
        }
        return new ConsoleFiles(files);
    }

    /** Whether {@code path} (raw, as received) is the console's: {@code /console} or under {@code /console/}. */
    static boolean isConsole(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    /**
     * The answer for a GET or HEAD of {@code path}, one of the console's ({@link #isConsole}). Another method
     * is a 405 naming GET and HEAD; an unknown name a 404, with the API's error body.
     */
    HttpResponse answer(String method, String path) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new ApiException(
                    HttpErrorCode.METHOD_NOT_ALLOWED,
                    method.length() > 20 ? "method not allowed" : method + " is not allowed here; use GET, HEAD",
                    Map.of("allow", "GET, HEAD"),
                    Map.of("Allow", "GET, HEAD"));
        }
        String name = path.equals(PATH) || path.equals(PATH + "/") ? "index.html" : path.substring(PATH.length() + 1);
        HttpResponse file = files.get(name);
        if (file == null) {
            throw new ApiException(HttpErrorCode.NOT_FOUND, "no such resource: " + RouteTable.shorten(path));
        }
        return file;
    }

    /** The metrics label and log field of console requests: one label, whatever the file. */
    static String routeName() {
        return "GET " + PATH;
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8"; // module scripts are refused under any other type
        }
        throw new IllegalStateException("the console serves no file of this type: " + name);
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream(RESOURCE_DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar");
            }
            byte[] body = in.readNBytes(FILE_BYTES_MAX + 1);
            if (body.length > FILE_BYTES_MAX) {
                throw new IllegalStateException(
                        "the console's " + name + " is over the bound of " + FILE_BYTES_MAX + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
