package io.spindle.tokenizer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Exposes the Kafka Streams client metrics on {@code /q/metrics}; among them the input lag
 * ({@code kafka_consumer_fetch_manager_records_lag_max}) that an autoscaler (KEDA) or an operator watches.
 */
@ApplicationScoped
public class KafkaStreamsMeters {

    void bind(@Observes StartupEvent start, Instance<KafkaStreams> streams, MeterRegistry registry) {
        if (streams.isResolvable()) {
            new KafkaStreamsMetrics(streams.get()).bindTo(registry);
        }
    }
}
