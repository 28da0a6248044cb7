package io.spindle.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.JsonSerde;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The live stores: values stay objects until Kafka Streams commits, reach the changelogged inner store only then
 * (once per key), and what a dirty close throws away falls back to the committed value; windows that can no longer
 * change leave the live map. Restore from a real changelog after a restart: {@link TwoInstancesTest}.
 */
class LiveStoresTest {

    private static MockProcessorContext<Object, Object> context() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-stores-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "live-stores-test", UUID.randomUUID().toString()).toString());
        return new MockProcessorContext<>(config);
    }

    @Test
    void valuesReachTheInnerStoreOncePerKeyAtCommitAndADirtyCloseFallsBackToTheCommittedOnes() {
        KeyValueStore<String, String> inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("kv"),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        List<String> flushed = new ArrayList<>();
        LiveKeyValueStore<String> store = new LiveKeyValueStore<>(inner, (key, value) -> flushed.add(key + "=" + value));
        store.init(context().getStateStoreContext(), store);

        store.put("a", "1");
        store.put("a", "2");
        store.put("b", "1");
        assertEquals("2", store.get("a"));
        assertNull(inner.get("a"), "nothing written before the commit");

        store.flushCache();
        assertEquals("2", inner.get("a"));
        assertEquals("1", inner.get("b"));
        assertEquals(List.of("a=2", "b=1"), flushed, "one write per key and commit");
        store.flushCache();
        assertEquals(2, flushed.size(), "nothing dirty, nothing written");

        store.put("a", "3");
        store.put("c", "1");
        assertEquals(List.of(KeyValue.pair("a", "3"), KeyValue.pair("b", "1"), KeyValue.pair("c", "1")), list(store.all()),
                "queries see the live values over the stored ones");
        assertEquals(List.of(KeyValue.pair("b", "1"), KeyValue.pair("c", "1")), list(store.range("b", "c")));

        // A dirty close (an aborted transaction) drops what was not committed; the committed values remain.
        store.clearCache();
        assertEquals("2", store.get("a"));
        assertNull(store.get("c"));
        store.put("a", "4");
        store.delete("b");
        store.flushCache();
        assertEquals("4", inner.get("a"));
        assertNull(inner.get("b"));
    }

    private static TopologyTestDriver driver() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-stores-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "live-stores-test", UUID.randomUUID().toString()).toString());
        TopologyProducer topology = new TopologyProducer(TestConfig.defaults(), new RunGauges(new SimpleMeterRegistry(), 2), RunUpdates.NONE);
        return new TopologyTestDriver(topology.buildTopology(), config, Instant.ofEpochMilli(TopologyTest.T0));
    }

    private static void send(TestInputTopic<String, StepMetrics> steps, long step, long time) {
        StepMetrics metrics = TopologyTest.stepAt("live", "w0", step, time, 3.0, 10);
        steps.pipeInput(metrics.key(), metrics);
    }

    private static TestInputTopic<String, StepMetrics> steps(TopologyTestDriver driver) {
        return driver.createInputTopic(Topics.TRAIN_METRICS, new StringSerializer(), JsonSerde.of(StepMetrics.class));
    }

    @Test
    void kafkaStreamsWritesTheLiveStoresToTheirChangelogsWhenItCommits() {
        try (TopologyTestDriver driver = driver()) {
            assertInstanceOf(CachedStateStore.class, driver.getTimestampedKeyValueStore(TopologyProducer.RUN_SUMMARIES_STORE),
                    "Kafka Streams flushes CachedStateStores before it commits; flush() comes after the commit");
            TestInputTopic<String, StepMetrics> steps = steps(driver);
            TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic("live-stores-test-"
                    + TopologyProducer.RUN_SUMMARIES_STORE + "-changelog", new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> windowChangelog = driver.createOutputTopic("live-stores-test-"
                    + TopologyProducer.windowStore(Duration.ofSeconds(10)) + "-changelog", new StringDeserializer(), new ByteArrayDeserializer());
            for (long step = 1; step <= 3; step++) {
                send(steps, step, TopologyTest.T0 + step);
                // The test driver commits after each record: one summary written per commit, already holding the step.
                List<TestRecord<String, byte[]>> written = changelog.readRecordsToList();
                assertEquals(1, written.size());
                assertEquals(step, TopologyProducer.RUN_SUMMARY.deserializer().deserialize("", written.get(0).value()).steps());
                assertEquals(TopologyTest.T0 + step, written.get(0).timestamp(), "the DSL's timestamped format: the aggregate's time");
                assertEquals(1, windowChangelog.readValuesToList().size());
            }
        }
    }

    @Test
    void windowsThatCanNoLongerChangeAreReadBackFromTheInnerStore() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, StepMetrics> steps = steps(driver);
            TimestampedWindowStore<String, RunWindow> windows = (TimestampedWindowStore<String, RunWindow>)
                    driver.<String, RunWindow>getTimestampedWindowStore(TopologyProducer.windowStore(Duration.ofSeconds(10)));
            send(steps, 1, TopologyTest.T0 + 1_000);
            send(steps, 2, TopologyTest.T0 + 2_000);
            send(steps, 3, TopologyTest.T0 + 95_000); // the first window (+ 30 s grace) is closed: dropped from the live map
            send(steps, 4, TopologyTest.T0 + 96_000);
            assertEquals(2, windows.fetch("live", TopologyTest.T0).value().total().steps());
            assertEquals(2, windows.fetch("live", TopologyTest.T0 + 90_000).value().total().steps());
            assertEquals(List.of(TopologyTest.T0, TopologyTest.T0 + 90_000), starts(windows.fetch("live", TopologyTest.T0, TopologyTest.T0 + 100_000)));
            List<KeyValue<Windowed<String>, ValueAndTimestamp<RunWindow>>> all = list(windows.all());
            assertEquals(2, all.size());
            assertEquals(TopologyTest.T0 + 100_000, all.get(1).key.window().end());
            assertEquals(TopologyTest.T0 + 96_000, all.get(1).value.timestamp(), "an aggregate's time: its newest event");
        }
    }

    private static <K, V> List<KeyValue<K, V>> list(KeyValueIterator<K, V> iterator) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(entries::add);
        }
        return entries;
    }

    private static <V> List<Long> starts(WindowStoreIterator<V> iterator) {
        List<Long> starts = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(entry -> starts.add(entry.key));
        }
        return starts;
    }
}
