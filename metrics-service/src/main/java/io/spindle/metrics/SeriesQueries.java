package io.spindle.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import org.apache.kafka.streams.KeyValue;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Chart series from this instance's stores: raw points from {@code run-events}, windowed ones from {@code run-windows-*}. */
@ApplicationScoped
public class SeriesQueries {

    @Inject
    StoreQueries stores;

    @Inject
    MetricsConfig config;

    public Series series(String run, String metricId, String fromParam, String toParam, String windowParam) {
        SeriesMetric metric = SeriesMetric.byId(metricId == null ? "" : metricId)
                .orElseThrow(() -> new UnknownKeyException("metric", metricId, "known: " + SeriesMetric.ids()));
        long from = time("from", fromParam, 0);
        long to = time("to", toParam, Long.MAX_VALUE);
        if (from > to) {
            throw new BadRequestException("from (" + from + ") is after to (" + to + ")");
        }
        Duration window = window(windowParam);
        stores.localRun(run); // 404 for a run never seen
        List<SeriesPoint> points = new ArrayList<>();
        if (window == null) {
            if (!metric.hasRaw()) {
                throw new BadRequestException("metric '" + metric.id() + "' exists per window only: add window=" + windowLabels());
            }
            for (RunEvent event : stores.localEvents(run, from, to)) {
                metric.point(event).ifPresent(points::add);
            }
        } else {
            if (!metric.hasWindowed()) {
                throw new BadRequestException("metric '" + metric.id() + "' exists per step only: leave out window");
            }
            for (KeyValue<Long, RunWindow> w : stores.localWindows(TopologyProducer.windowStore(window), run, from, to)) {
                for (Map.Entry<String, Double> value : metric.values(w.value).entrySet()) {
                    points.add(new SeriesPoint(w.key, null, value.getKey(), value.getValue()));
                }
            }
        }
        boolean truncated = points.size() > config.maxSeriesPoints();
        if (truncated) {
            points = new ArrayList<>(points.subList(points.size() - config.maxSeriesPoints(), points.size()));
        }
        return new Series(run, metric.id(), window == null ? null : DurationLabel.of(window), from, to, truncated, points);
    }

    private Duration window(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        return config.windows().stream().filter(size -> DurationLabel.of(size).equals(label)).findFirst()
                .orElseThrow(() -> new BadRequestException("window '" + label + "' is not kept; kept: " + windowLabels()));
    }

    private String windowLabels() {
        return config.windows().stream().map(DurationLabel::of).collect(Collectors.joining(", "));
    }

    /** Epoch milliseconds or an ISO-8601 instant (2026-11-24T06:00:00Z). */
    static long time(String name, String value, long absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis < 0) {
                throw new BadRequestException(name + " must not be negative (epoch milliseconds), was " + millis);
            }
            return millis;
        } catch (NumberFormatException notMillis) {
            try {
                return Instant.parse(value.trim()).toEpochMilli();
            } catch (DateTimeParseException notInstant) {
                throw new BadRequestException(name + " must be epoch milliseconds or an ISO-8601 instant, not '" + value + "'");
            }
        }
    }
}
