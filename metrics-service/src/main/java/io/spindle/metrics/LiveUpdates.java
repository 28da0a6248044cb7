package io.spindle.metrics;

import io.spindle.contracts.json.Json;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SSE side of the stream: each run has a broadcaster once someone listens to it. Every processed
 * {@link RunEvent} goes out as a {@code points} event (the chart points it adds, per metric, computed by
 * {@link SeriesMetric} like the REST series), every flushed {@link RunSummary} as a {@code summary} event.
 * Runs nobody listens to cost one map lookup.
 */
@Singleton
public class LiveUpdates implements RunUpdates {

    /** The {@code points} event: the new points of one event, by metric id. */
    public record Points(String run, String kind, Map<String, List<SeriesPoint>> points) {
    }

    private final Map<String, SseBroadcaster> listeners = new ConcurrentHashMap<>();
    private volatile Sse sse;

    public void listen(String run, SseEventSink sink, Sse sse) {
        this.sse = sse;
        SseBroadcaster broadcaster = listeners.computeIfAbsent(run, r -> sse.newBroadcaster());
        broadcaster.register(sink);
        sink.send(event("hello", "{\"run\":" + Json.MAPPER.valueToTree(run) + "}"));
    }

    @Override
    public void event(RunEvent event) {
        SseBroadcaster broadcaster = listeners.get(event.run());
        if (broadcaster == null) {
            return;
        }
        Map<String, List<SeriesPoint>> points = new LinkedHashMap<>();
        for (SeriesMetric metric : SeriesMetric.values()) {
            metric.point(event).ifPresent(p -> points.put(metric.id(), List.of(p)));
        }
        broadcaster.broadcast(event("points", json(new Points(event.run(), event.kind().name(), points))));
    }

    @Override
    public void summary(RunSummary summary) {
        SseBroadcaster broadcaster = listeners.get(summary.run());
        if (broadcaster != null) {
            broadcaster.broadcast(event("summary", json(summary)));
        }
    }

    private OutboundSseEvent event(String name, String json) {
        // Text, already JSON: written as it is, not quoted again by a JSON writer.
        return sse.newEventBuilder().name(name).mediaType(MediaType.TEXT_PLAIN_TYPE).data(String.class, json).build();
    }

    private static String json(Object value) {
        return new String(Json.write(value), java.nio.charset.StandardCharsets.UTF_8);
    }
}
