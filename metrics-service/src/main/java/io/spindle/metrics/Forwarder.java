package io.spindle.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Asks the instance that owns a key, over its HTTP API (the {@code application.server} it advertises), and hands
 * its answer back unchanged. The forwarded request carries {@code scope=local}, so the owner answers from its own
 * stores and never forwards again (a rebalance in between gives a 404/503 rather than a loop).
 */
@ApplicationScoped
public class Forwarder {

    public static final String SCOPE = "scope";
    public static final String LOCAL = "local";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    MetricsConfig config;

    /** The same request, answered by {@code owner}. */
    public Response forward(HostInfo owner, UriInfo request) {
        URI uri = UriBuilder.fromUri(request.getRequestUri())
                .scheme("http").host(owner.host()).port(owner.port())
                .replaceQueryParam(SCOPE, LOCAL)
                .build();
        HttpResponse<String> answer = get(owner, uri);
        return Response.status(answer.statusCode())
                .type(answer.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON))
                .entity(answer.body())
                .build();
    }

    /** GET {@code path?scope=local} on {@code instance}; the body when it answers 200. */
    public String getLocal(HostInfo instance, String path) {
        URI uri = URI.create("http://" + instance.host() + ":" + instance.port() + path + "?" + SCOPE + "=" + LOCAL);
        HttpResponse<String> answer = get(instance, uri);
        if (answer.statusCode() != 200) {
            throw new StoresNotReadyException("instance " + instance + " answered " + answer.statusCode() + " for " + path);
        }
        return answer.body();
    }

    private HttpResponse<String> get(HostInfo owner, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.forwardTimeout()).GET()
                .header("Accept", MediaType.APPLICATION_JSON).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StoresNotReadyException("instance " + owner + " that holds this key is not reachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoresNotReadyException("interrupted while asking instance " + owner);
        }
    }
}
