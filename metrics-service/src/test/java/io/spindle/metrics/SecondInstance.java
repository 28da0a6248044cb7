package io.spindle.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.json.Json;
import jakarta.ws.rs.BadRequestException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A second metrics-service instance for tests, without a second Quarkus app: the same topology and the same
 * {@link StoreQueries}/{@link SeriesQueries} classes on its own {@link KafkaStreams} (same application id, own state
 * dir), and a JDK HTTP server that answers the {@code scope=local} run queries an instance forwards to the owner.
 */
final class SecondInstance implements AutoCloseable {

    final KafkaStreams streams;
    final StoreQueries queries = new StoreQueries();
    final HostInfo host;
    private final HttpServer http;

    SecondInstance(String bootstrap, Path stateDir, int port) throws IOException {
        host = new HostInfo("127.0.0.1", port);
        TestConfig config = TestConfig.defaults();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spindle-metrics");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, host.host() + ":" + host.port());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // Kafka Streams does not leave the group on close (it expects to come back): a closed instance holds its
        // tasks until its session times out. The broker's minimum, so a restart in the test rebalances in seconds.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        // As application.properties.
        props.put(StreamsConfig.InternalConfig.INTERNAL_TASK_ASSIGNOR_CLASS,
                "org.apache.kafka.streams.processor.internals.assignment.LegacyStickyTaskAssignor");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        streams = new KafkaStreams(new TopologyProducer(config, new RunGauges(new SimpleMeterRegistry(), 50), RunUpdates.NONE)
                .buildTopology(), props);
        queries.streams = streams;
        queries.config = config;
        queries.applicationServer = Optional.of(host.host() + ":" + host.port());
        SeriesQueries series = new SeriesQueries();
        series.stores = queries;
        series.config = config;

        http = HttpServer.create(new InetSocketAddress(host.host(), port), 0);
        http.createContext("/api/runs", exchange -> answer(exchange, series));
        http.start();
        streams.start();
    }

    private void answer(HttpExchange exchange, SeriesQueries series) throws IOException {
        String[] path = exchange.getRequestURI().getPath().substring("/api/runs".length()).split("/");
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int status = 200;
        Object body;
        try {
            if (path.length <= 1) {
                body = queries.localRuns();
            } else if (path.length == 2) {
                body = queries.localRun(path[1]);
            } else {
                body = series.series(path[1], query.get("metric"), query.get("from"), query.get("to"), query.get("window"));
            }
        } catch (UnknownKeyException e) {
            status = 404;
            body = new ApiError(e.getMessage());
        } catch (BadRequestException e) {
            status = 400;
            body = new ApiError(e.getMessage());
        } catch (StoresNotReadyException e) {
            status = 503;
            body = new ApiError(e.getMessage());
        }
        byte[] json = Json.write(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    /** True once this instance runs and holds at least one by-run partition. */
    boolean holdsRuns() {
        return streams.state() == KafkaStreams.State.RUNNING && streams.metadataForLocalThreads().stream()
                .anyMatch(thread -> thread.activeTasks().stream().anyMatch(task -> task.taskId().subtopology() > 0));
    }

    @Override
    public void close() {
        http.stop(0);
        streams.close(Duration.ofSeconds(20));
    }
}
