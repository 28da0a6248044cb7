package io.spindle.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.JsonSerde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.UUID;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TopologyTest {

    private TopologyTestDriver driver;
    private TestInputTopic<String, StepMetrics> steps;
    private TestInputTopic<String, String> rawSteps;
    private TestInputTopic<String, CapacityEvent> capacity;
    private KeyValueStore<String, ValueAndTimestamp<RunSummary>> summaries;
    private KeyValueStore<String, ValueAndTimestamp<WorkerCapacity>> workers;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void startDriver() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-topology-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // A fresh dir per test, under target/ (not /tmp, which Kafka Streams warns about).
        config.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "topology-test-state", UUID.randomUUID().toString()).toString());
        // The same handlers application.properties configures.
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class.getName());
        registry = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(new TopologyProducer(new RunGauges(registry, 2)).buildTopology(), config);

        steps = driver.createInputTopic(Topics.TRAIN_METRICS, new StringSerializer(), JsonSerde.of(StepMetrics.class));
        rawSteps = driver.createInputTopic(Topics.TRAIN_METRICS, new StringSerializer(), new StringSerializer());
        capacity = driver.createInputTopic(Topics.CAPACITY_EVENTS, new StringSerializer(), JsonSerde.of(CapacityEvent.class));
        summaries = driver.getTimestampedKeyValueStore(TopologyProducer.RUN_SUMMARIES_STORE);
        workers = driver.getTimestampedKeyValueStore(TopologyProducer.WORKER_CAPACITY_STORE);
    }

    private RunSummary summary(String run) {
        ValueAndTimestamp<RunSummary> stored = summaries.get(run);
        return stored == null ? null : stored.value();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    static StepMetrics step(String run, String worker, long step, double loss, long tokens) {
        return new StepMetrics(Schema.V1, run, worker, step, 1_000 * step, loss, step % 10 == 0 ? loss + 0.1 : null,
                3e-4, 1.5, tokens, tokens * step, 900, 100, 1_000, 0.4, 1, "0:" + step, 512);
    }

    private void send(StepMetrics metrics) {
        steps.pipeInput(metrics.key(), metrics);
    }

    @Test
    void aggregatesStepsOfAllWorkersPerRun() {
        send(step("r1", "w0", 1, 9.0, 512));
        send(step("r1", "w1", 1, 9.1, 512));
        send(step("r1", "w0", 2, 8.0, 512));
        send(step("r2", "w0", 1, 7.0, 256));

        RunSummary r1 = summary("r1");
        assertEquals(3, r1.steps());
        assertEquals(1536, r1.tokensSeen());
        assertEquals(1, r1.firstStep());
        assertEquals(9.0, r1.firstLoss());
        assertEquals(2, r1.latestStep());
        assertEquals(8.0, r1.latestLoss());
        assertEquals(2, r1.workers().size());
        assertEquals(2_000, r1.tokensPerS(), 1e-9, "sum of each worker's latest tokens/s");
        assertEquals(10.0, r1.dataWaitPct(), 1e-9, "100 ms wait per 1000 ms");
        assertEquals(2_000, r1.updatedAt());
        assertEquals(1, summary("r2").steps());
    }

    @Test
    void redeliveredStepsAreNotCountedTwice() {
        send(step("r1", "w0", 1, 9.0, 512));
        send(step("r1", "w0", 2, 8.0, 512));
        send(step("r1", "w0", 2, 8.0, 512));
        send(step("r1", "w0", 1, 9.0, 512));

        RunSummary r1 = summary("r1");
        assertEquals(2, r1.steps());
        assertEquals(1024, r1.tokensSeen());
        assertEquals(2, r1.latestStep());
    }

    @Test
    void lateEvalFromALaggingWorkerIsKept() {
        send(step("r1", "w1", 11, 5.0, 1));
        send(step("r1", "w0", 10, 5.5, 1));

        RunSummary r1 = summary("r1");
        assertEquals(11, r1.latestStep());
        assertEquals(5.0, r1.latestLoss());
        assertEquals(10, r1.latestEvalStep());
        assertEquals(5.6, r1.latestEvalLoss(), 1e-9);
    }

    @Test
    void malformedRecordsAreSkippedAndTheStreamGoesOn() {
        rawSteps.pipeInput("r1/w0", "{not json");
        rawSteps.pipeInput("r1/w0", "{\"schema\":1,\"step\":3}");
        send(step("r1", "w0", 1, 9.0, 512));

        assertEquals(1, summary("r1").steps());
        assertNull(summary("null"));
    }

    @Test
    void gaugesFollowTheLatestRunsUpToTheCap() {
        send(step("r1", "w0", 1, 9.0, 512));
        send(step("r2", "w0", 1, 8.0, 512));
        send(step("r3", "w0", 4, 7.0, 512));

        assertEquals(7.0, registry.get("spindle.run.loss").tag("run", "r3").gauge().value());
        assertEquals(4, registry.get("spindle.run.step").tag("run", "r3").gauge().value());
        assertEquals(2, registry.find("spindle.run.loss").gauges().size(), "capped at 2 runs");
        assertNull(registry.find("spindle.run.loss").tag("run", "r1").gauge(), "oldest run evicted");
    }

    @Test
    void capacityEventsSumIdleTimePerWorkerOnce() {
        CapacityEvent idle = new CapacityEvent.Idle(Schema.V1, "w0", "r1", 1_000, IdleReason.DATA_WAIT, 500);
        CapacityEvent busy = new CapacityEvent.Busy(Schema.V1, "w0", "r1", 1_700, IdleReason.DATA_WAIT, 700);
        capacity.pipeInput("w0", idle);
        capacity.pipeInput("w0", new CapacityEvent.Idle(Schema.V1, "w0", "r1", 1_200, IdleReason.DATA_WAIT, 500));
        capacity.pipeInput("w0", busy);
        capacity.pipeInput("w0", busy);
        capacity.pipeInput(null, new CapacityEvent.Idle(Schema.V1, "w0", "r1", 2_000, IdleReason.SYNC_WAIT, 0));

        WorkerCapacity w0 = workers.get("w0").value();
        assertEquals(WorkerCapacity.State.IDLE, w0.state());
        assertEquals(IdleReason.SYNC_WAIT, w0.reason());
        assertEquals(2_000, w0.since());
        assertEquals(1, w0.idlePeriods());
        assertEquals(700, w0.idleMs());
    }
}
