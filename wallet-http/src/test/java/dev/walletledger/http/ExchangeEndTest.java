package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Where an exchange ends. Undertow's read listener guards a running request with a state word that an exchange
 * ending off the IO thread holds while it re-arms the connection; an IO thread meeting the next request in that
 * window spins until the other thread lets go (on two cores, under load, that was most of the IO threads' CPU).
 * The pipeline writes every answer, and so ends every exchange, on the connection's IO thread, where Undertow
 * takes the path without that word. The handler still runs on a worker.
 */
class ExchangeEndTest {
    @Test
    void everyExchangeEndsOnItsIoThreadWhileItsHandlerRanOnAWorker() throws Exception {
        ConcurrentLinkedQueue<String> handlerThreads = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Boolean> endedInIoThread = new ConcurrentLinkedQueue<>();
        Route echo = Route.post("/echo", Set.of(), call -> {
            handlerThreads.add(Thread.currentThread().getName());
            return HttpResponse.json(200, call.body());
        });
        Route read = Route.get("/read", List.of(), Set.of(), call -> {
            handlerThreads.add(Thread.currentThread().getName());
            return HttpResponse.json(200, "{}".getBytes(StandardCharsets.UTF_8));
        });
        RequestPipeline pipeline = new RequestPipeline(
                new RouteTable(List.of(echo, read)), new HttpMetrics(), new InFlight(16), ApiKeys.none(), 5_000);
        HttpHandler recording = exchange -> {
            exchange.addExchangeCompleteListener((done, next) -> {
                endedInIoThread.add(done.isInIoThread());
                next.proceed();
            });
            pipeline.handleRequest(exchange);
        };
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(recording)
                .build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            int requests = 20;
            for (int i = 0; i < requests; i++) {
                String body = "{\"n\":" + i + "}";
                HttpRequest request = i % 2 == 0
                        ? HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build()
                        : HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/read"))
                                .timeout(Duration.ofSeconds(10))
                                .build();
                var response = client.send(request, BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals(i % 2 == 0 ? body : "{}", response.body());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (endedInIoThread.size() < requests && System.nanoTime() < deadline) {
                Thread.sleep(10); // the last completion listener may run just after its answer was read
            }
            assertEquals(requests, endedInIoThread.size(), "every exchange ended");
            assertTrue(
                    endedInIoThread.stream().allMatch(b -> b),
                    "every exchange ended on its IO thread: " + endedInIoThread);
            assertEquals(requests, handlerThreads.size());
            assertTrue(
                    handlerThreads.stream().noneMatch(name -> name.contains("I/O")),
                    "handlers run on workers, never on an IO thread: " + handlerThreads);
        } finally {
            server.stop();
        }
    }
}
