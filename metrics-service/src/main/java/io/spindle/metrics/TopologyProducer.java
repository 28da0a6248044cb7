package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.JsonSerde;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metrics service's stream processing, in one topology:
 * <pre>
 *  train.metrics ─┐
 *  capacity.events├─ merge ─ RunEventNormalizer ─ repartition by run ─┬─ run-summaries   (RunSummary per run) ─ gauges, SSE
 *  drafter.metrics┘  (dedup, IDLE/BUSY pairing,   (events-by-run,     ├─ run-windows-10s (RunWindow per run and window)
 *                     harvest increments)          N partitions)      ├─ run-windows-1m
 *                                                                     ├─ run-events      (every event, for the charts)
 *                                                                     └─ SSE
 * </pre>
 * Every time is event time ({@link EventTimeExtractor}). Records that cannot be read are skipped by the
 * deserialization exception handler (application.properties); records that name no run or source are filtered.
 */
@ApplicationScoped
public class TopologyProducer {

    public static final String RUN_SUMMARIES_STORE = "run-summaries";
    public static final String RUN_EVENTS_STORE = "run-events";
    static final String WINDOW_STORE_PREFIX = "run-windows-";

    static final Serde<StepMetrics> STEP_METRICS = JsonSerde.of(StepMetrics.class);
    static final Serde<CapacityEvent> CAPACITY_EVENT = JsonSerde.of(CapacityEvent.class);
    static final Serde<DrafterMetrics> DRAFTER_METRICS = JsonSerde.of(DrafterMetrics.class);
    // The service's own topic and stores: binary (RunEventSerde for the events, written twice each; InternalSerde's
    // Smile for the aggregates, written once per commit), the inputs above stay JSON.
    static final Serde<RunEvent> RUN_EVENT = new RunEventSerde();
    static final Serde<RunSummary> RUN_SUMMARY = InternalSerde.of(RunSummary.class);
    static final Serde<RunWindow> RUN_WINDOW = InternalSerde.of(RunWindow.class);

    private final MetricsConfig config;
    private final RunGauges gauges;
    private final RunUpdates updates;

    @Inject
    public TopologyProducer(MetricsConfig config, RunGauges gauges, RunUpdates updates) {
        this.config = config;
        this.gauges = gauges;
        this.updates = updates;
    }

    /** The window store of one window size: {@code run-windows-10s}, {@code run-windows-1m}, ... */
    public static String windowStore(Duration size) {
        return WINDOW_STORE_PREFIX + DurationLabel.of(size);
    }

    @Produces
    public Topology buildTopology() {
        StreamsBuilder builder = new StreamsBuilder();
        // Small stores live in memory (changelogged, rebuilt on start): RocksDB would flush each of them on every
        // commit, which capped ingest at a few hundred events/s. Only the per-event points, which grow with the
        // run, are on disk.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RunEventNormalizer.WORKER_IDLE_STORE),
                Serdes.String(), InternalSerde.of(WorkerIdle.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RunEventNormalizer.DRAFTER_MARKS_STORE),
                Serdes.String(), InternalSerde.of(DrafterMark.class)));
        // Rewritten on every step: kept as objects, logged once per worker and commit (LiveKeyValueStore).
        builder.addStateStore(new LiveStoreBuilder<>(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RunEventNormalizer.SEEN_STEPS_STORE), Serdes.String(), SeenSteps.SERDE),
                inner -> new LiveKeyValueStore<>(inner, (worker, seen) -> { })));
        builder.addStateStore(Stores.windowStoreBuilder(
                // retainDuplicates: several events of a run may share a millisecond; each is a point.
                Stores.persistentWindowStore(RUN_EVENTS_STORE, config.retention(), Duration.ofMillis(1), true),
                Serdes.String(), RUN_EVENT));

        KStream<String, RunInput> steps = builder.stream(Topics.TRAIN_METRICS, consumed(STEP_METRICS, "train-metrics"))
                .mapValues(RunInput::of, Named.as("wrap-steps"));
        KStream<String, RunInput> capacity = builder.stream(Topics.CAPACITY_EVENTS, consumed(CAPACITY_EVENT, "capacity-events"))
                .mapValues(RunInput::of, Named.as("wrap-capacity"));
        KStream<String, RunInput> drafter = builder.stream(Topics.DRAFTER_METRICS, consumed(DRAFTER_METRICS, "drafter-metrics"))
                .mapValues(RunInput::of, Named.as("wrap-drafter"));

        KStream<String, RunEvent> events = steps.merge(capacity, Named.as("merge-capacity")).merge(drafter, Named.as("merge-drafter"))
                .filter((key, input) -> input != null && RunInput.usable(input), Named.as("usable-inputs"))
                .process(() -> new RunEventNormalizer(config.dedupRetention(), config.idleTimeout()), Named.as("normalize"),
                        RunEventNormalizer.WORKER_IDLE_STORE, RunEventNormalizer.DRAFTER_MARKS_STORE,
                        RunEventNormalizer.SEEN_STEPS_STORE)
                .repartition(Repartitioned.<String, RunEvent>as("events-by-run")
                        .withKeySerde(Serdes.String()).withValueSerde(RUN_EVENT)
                        .withNumberOfPartitions(config.partitions()));

        events.processValues(RecordEvent::new, Named.as("record-events"), RUN_EVENTS_STORE)
                .foreach((run, event) -> updates.event(event), Named.as("push-events"));

        // The run summaries and windows: aggregates kept as objects between commits, written (and pushed to gauges
        // and SSE) once per run and commit.
        builder.addStateStore(new LiveStoreBuilder<>(Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RUN_SUMMARIES_STORE), Serdes.String(), RUN_SUMMARY),
                inner -> new LiveKeyValueStore.Timestamped<>(inner, (run, summary) -> {
                    gauges.update(summary.value());
                    updates.summary(summary.value());
                })));
        List<RunAggregator.WindowSpec> windows = new ArrayList<>();
        for (Duration size : config.windows()) {
            windows.add(new RunAggregator.WindowSpec(windowStore(size), size, config.windowGrace()));
            builder.addStateStore(windowStoreBuilder(windowStore(size), size));
        }
        List<String> stores = new ArrayList<>(List.of(RUN_SUMMARIES_STORE));
        windows.forEach(window -> stores.add(window.store()));
        events.process(() -> new RunAggregator(RUN_SUMMARIES_STORE, windows), Named.as("aggregate-runs"), stores.toArray(String[]::new));
        return builder.build();
    }

    /**
     * The windows of one size: the DSL's timestamped in-memory window store (its changelog format), live in front.
     * A custom builder is not recognised as a window store when Kafka Streams creates the changelog topic, so the
     * windowed changelog's cleanup (compact + delete after retention + 1 day, Kafka's default extra) is set here.
     */
    private StoreBuilder<LiveWindowStore<RunWindow>> windowStoreBuilder(String name, Duration size) {
        Duration retention = maxOf(config.retention(), size.plus(config.windowGrace()));
        return new LiveStoreBuilder<>(Stores.timestampedWindowStoreBuilder(
                        Stores.inMemoryWindowStore(name, retention, size, false), Serdes.String(), RUN_WINDOW)
                .withLoggingEnabled(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention.plus(Duration.ofDays(1)).toMillis()))),
                inner -> new LiveWindowStore<>(inner, size.toMillis(), size.plus(config.windowGrace()).toMillis()));
    }

    private static <V> Consumed<String, V> consumed(Serde<V> values, String name) {
        return Consumed.with(Serdes.String(), values).withTimestampExtractor(new EventTimeExtractor()).withName(name);
    }

    private static Duration maxOf(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Keeps every event in {@value #RUN_EVENTS_STORE}, keyed by run at its event time: the charts' raw points. */
    static final class RecordEvent implements FixedKeyProcessor<String, RunEvent, RunEvent> {

        private FixedKeyProcessorContext<String, RunEvent> context;
        private WindowStore<String, RunEvent> store;

        @Override
        public void init(FixedKeyProcessorContext<String, RunEvent> context) {
            this.context = context;
            this.store = context.getStateStore(RUN_EVENTS_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, RunEvent> record) {
            store.put(record.key(), record.value(), record.value().time());
            context.forward(record);
        }
    }
}
