package io.spindle.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** Settings of the metrics service ({@code spindle.metrics.*}). */
@ConfigMapping(prefix = "spindle.metrics")
public interface MetricsConfig {

    /** Runs that keep Prometheus gauges; each run is a label value, so this bounds the series count. */
    @WithDefault("50")
    int maxGaugeRuns();

    /**
     * How long a REST query waits for the Kafka Streams state stores to become queryable (startup,
     * rebalance) before answering 503.
     */
    @WithDefault("2s")
    Duration storeWait();

    /** Tumbling window sizes of the per-run/per-worker aggregates; each gets a store {@code run-windows-<size>}. */
    @WithDefault("10s,1m")
    List<Duration> windows();

    /** How late (event time) a step may arrive and still be counted in its window. */
    @WithDefault("30s")
    Duration windowGrace();

    /** How long windows and per-event points are kept for the charts. */
    @WithDefault("2d")
    Duration retention();

    /** How long a (run, worker, step) is remembered to drop re-delivered or replayed steps. */
    @WithDefault("1h")
    Duration dedupRetention();

    /**
     * An IDLE that sees no BUSY for this long is closed (the worker died or lost its producer): the
     * interval counts this much idle time and is marked timed out.
     */
    @WithDefault("5m")
    Duration idleTimeout();

    /**
     * Partitions of the by-run repartition topic: the unit that spreads runs (and their stores) over
     * metrics-service instances. Changing it on an existing application id needs a reset.
     */
    @WithDefault("4")
    int partitions();

    /** The most points one series answer holds; older points are dropped first. */
    @WithDefault("20000")
    int maxSeriesPoints();

    /** Timeout of a query forwarded to the instance that owns the key. */
    @WithDefault("5s")
    Duration forwardTimeout();

    /**
     * The host other metrics-service instances reach this one at; with {@code quarkus.http.port} it forms the
     * Kafka Streams {@code application.server} (application.properties) that interactive queries forward to.
     */
    @WithDefault("127.0.0.1")
    String advertisedHost();
}
