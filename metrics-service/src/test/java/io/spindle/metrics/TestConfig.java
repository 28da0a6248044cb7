package io.spindle.metrics;

import java.time.Duration;
import java.util.List;

/** {@link MetricsConfig} for tests without Quarkus: the defaults of application.properties, some overridable. */
record TestConfig(int maxGaugeRuns, Duration idleTimeout, int partitions) implements MetricsConfig {

    static TestConfig defaults() {
        return new TestConfig(2, Duration.ofMinutes(5), 4);
    }

    @Override
    public Duration storeWait() {
        return Duration.ofMillis(200);
    }

    @Override
    public List<Duration> windows() {
        return List.of(Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    @Override
    public Duration windowGrace() {
        return Duration.ofSeconds(30);
    }

    @Override
    public Duration retention() {
        return Duration.ofDays(2);
    }

    @Override
    public Duration dedupRetention() {
        return Duration.ofHours(1);
    }

    @Override
    public int maxSeriesPoints() {
        return 20_000;
    }

    @Override
    public Duration forwardTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public String advertisedHost() {
        return "127.0.0.1";
    }
}
