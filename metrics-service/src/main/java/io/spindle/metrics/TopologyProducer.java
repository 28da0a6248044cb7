package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.JsonSerde;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The metrics service's stream processing:
 * <ul>
 *   <li>{@code train.metrics} (key run/worker) is re-keyed by run and folded into a {@link RunSummary}
 *       per run, kept in the {@value #RUN_SUMMARIES_STORE} store and pushed to the {@link RunGauges};</li>
 *   <li>{@code capacity.events} is keyed by worker and folded into a {@link WorkerCapacity} per worker,
 *       kept in the {@value #WORKER_CAPACITY_STORE} store.</li>
 * </ul>
 * Records that cannot be read at all are skipped by the deserialization exception handler
 * (application.properties); records that parse but name no run/worker are filtered out here.
 */
@ApplicationScoped
public class TopologyProducer {

    public static final String RUN_SUMMARIES_STORE = "run-summaries";
    public static final String WORKER_CAPACITY_STORE = "worker-capacity";

    static final Serde<StepMetrics> STEP_METRICS = JsonSerde.of(StepMetrics.class);
    static final Serde<RunSummary> RUN_SUMMARY = JsonSerde.of(RunSummary.class);
    static final Serde<CapacityEvent> CAPACITY_EVENT = JsonSerde.of(CapacityEvent.class);
    static final Serde<WorkerCapacity> WORKER_CAPACITY = JsonSerde.of(WorkerCapacity.class);

    private RunGauges gauges;

    @Inject
    TopologyProducer(RunGauges gauges) {
        this.gauges = gauges;
    }

    @Produces
    public Topology buildTopology() {
        StreamsBuilder builder = new StreamsBuilder();
        summariseRuns(builder);
        summariseCapacity(builder);
        return builder.build();
    }

    private void summariseRuns(StreamsBuilder builder) {
        builder.stream(Topics.TRAIN_METRICS, Consumed.with(Serdes.String(), STEP_METRICS).withName("train-metrics"))
                .filter((key, step) -> isUsable(step), Named.as("usable-steps"))
                .groupBy((key, step) -> step.run(), Grouped.with("steps-by-run", Serdes.String(), STEP_METRICS))
                .aggregate(RunSummary::empty, (run, step, summary) -> summary.with(step), Named.as("summarise-run"),
                        Materialized.<String, RunSummary, KeyValueStore<Bytes, byte[]>>as(RUN_SUMMARIES_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(RUN_SUMMARY))
                .toStream(Named.as("run-summary-changes"))
                .foreach((run, summary) -> gauges.update(summary), Named.as("update-run-gauges"));
    }

    private void summariseCapacity(StreamsBuilder builder) {
        builder.stream(Topics.CAPACITY_EVENTS, Consumed.with(Serdes.String(), CAPACITY_EVENT).withName("capacity-events"))
                .filter((key, event) -> isUsable(event), Named.as("usable-capacity-events"))
                // The contract keys by worker, but a producer may omit the key: group by the field.
                .groupBy((key, event) -> event.worker(), Grouped.with("capacity-by-worker", Serdes.String(), CAPACITY_EVENT))
                .aggregate(WorkerCapacity::empty, (worker, event, capacity) -> capacity.with(event),
                        Named.as("summarise-capacity"),
                        Materialized.<String, WorkerCapacity, KeyValueStore<Bytes, byte[]>>as(WORKER_CAPACITY_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(WORKER_CAPACITY));
    }

    static boolean isUsable(StepMetrics step) {
        return step != null && step.run() != null && step.worker() != null;
    }

    static boolean isUsable(CapacityEvent event) {
        return event != null && event.worker() != null;
    }
}
