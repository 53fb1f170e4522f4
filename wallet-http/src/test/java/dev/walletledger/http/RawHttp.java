package dev.walletledger.http;

import dev.walletledger.contract.OpenApiContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP/1.1 connection driven byte by byte, for what the JDK client will not send (no Host, raw UTF-8,
 * {@code Expect: 100-continue} with the body held back, HEAD). Every read is bounded by the socket timeout.
 */
final class RawHttp implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int RESPONSE_BYTES_MAX = 1_000_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawHttp send(String latin1) throws IOException {
        return send(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One answer's head and (per its Content-Length, none for HEAD) body; empty if the server closed. */
    Optional<Response> read(boolean head) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        List<String> lines = new ArrayList<>();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return Optional.empty();
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                line.reset();
                if (text.isEmpty()) {
                    break;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
            if (line.size() > RESPONSE_BYTES_MAX) {
                throw new IOException("an endless header line");
            }
        }
        int status = Integer.parseInt(lines.get(0).split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String header : lines.subList(1, lines.size())) {
            int colon = header.indexOf(':');
            headers.computeIfAbsent(header.substring(0, colon).strip(), k -> new ArrayList<>())
                    .add(header.substring(colon + 1).strip());
        }
        int length = headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Content-Length"))
                .map(e -> Integer.parseInt(e.getValue().get(0)))
                .findFirst()
                .orElse(0);
        byte[] body = head || status == 100 ? new byte[0] : in.readNBytes(Math.min(length, RESPONSE_BYTES_MAX));
        return Optional.of(new Response(lines.get(0), status, headers, body));
    }

    /** Whether the server closed the connection (end of stream) within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {
        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Checks this answer against openapi.json (ContractExtension fails the test on a departure). */
        Response conforms(String method, String rawPathAndQuery, byte[] requestBody) {
            OpenApiContract.record(new OpenApiContract.Exchange(
                    method.toUpperCase(Locale.ROOT), rawPathAndQuery, requestBody, status, headers, body));
            return this;
        }
    }
}
