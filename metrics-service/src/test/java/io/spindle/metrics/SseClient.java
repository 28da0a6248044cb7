package io.spindle.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Reads a server-sent event stream in the background and keeps every event ("name" + data line). */
final class SseClient implements AutoCloseable {

    record Event(String name, String data) {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;

    SseClient(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET().build();
        response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            String[] name = {"message"};
            r.body().forEach(line -> {
                if (line.startsWith("event:")) {
                    name[0] = line.substring("event:".length()).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(name[0], line.substring("data:".length()).trim()));
                } else if (line.isEmpty()) {
                    name[0] = "message";
                }
            });
        });
    }

    boolean saw(String name) {
        return events.stream().anyMatch(e -> e.name().equals(name));
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
