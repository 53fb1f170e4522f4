package dev.walletledger.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a handler answers: a status, a body and extra headers. */
record HttpResponse(int status, byte[] body, String contentType, Map<String, String> headers) {
    static final String JSON = "application/json";

    static HttpResponse json(int status, byte[] body) {
        return new HttpResponse(status, body, JSON, Map.of());
    }

    static HttpResponse json(int status, byte[] body, Map<String, String> headers) {
        return new HttpResponse(status, body, JSON, headers);
    }

    static HttpResponse text(int status, String body, String contentType) {
        return new HttpResponse(status, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
    }
}
