package io.spindle.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queries before Kafka Streams runs give up after the configured wait instead of failing with a 500. */
class StoreQueriesTest {

    private KafkaStreams notStarted;
    private final StoreQueries queries = new StoreQueries();

    @BeforeEach
    void createStreamsWithoutStarting() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "store-queries-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "store-queries-test-state", UUID.randomUUID().toString()).toString());
        notStarted = new KafkaStreams(new TopologyProducer(TestConfig.defaults(), new RunGauges(new SimpleMeterRegistry(), 1),
                RunUpdates.NONE).buildTopology(), config);
        queries.streams = notStarted;
        queries.config = TestConfig.defaults();
        queries.applicationServer = Optional.empty();
    }

    @AfterEach
    void close() {
        notStarted.close(Duration.ofSeconds(5));
    }

    @Test
    void notRunningMeansNotReady() {
        long start = System.nanoTime();
        StoresNotReadyException e = assertThrows(StoresNotReadyException.class, () -> queries.localRun("r1"));
        assertTrue(e.getMessage().contains("CREATED"), e.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "waited store-wait first");
        assertThrows(StoresNotReadyException.class, queries::localRuns);
    }
}
