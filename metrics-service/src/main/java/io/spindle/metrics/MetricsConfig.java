package io.spindle.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

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
}
