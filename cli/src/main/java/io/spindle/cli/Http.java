package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The few HTTP calls the CLI makes to local services. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Http() {
    }

    /** The status code, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return CLIENT.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The JSON body of a 200 answer; empty for anything else. */
    static Optional<JsonNode> json(String url) {
        return json(request(url));
    }

    /** POSTs a JSON body; the JSON answer of a 200, empty for anything else. */
    static Optional<JsonNode> postJson(String url, JsonNode body, Duration timeout) {
        return json(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private static Optional<JsonNode> json(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(Json.MAPPER.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    }
}
