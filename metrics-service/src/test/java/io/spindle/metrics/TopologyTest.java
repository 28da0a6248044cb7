package io.spindle.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.JsonSerde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyTest {

    /** A minute-aligned event time, so window boundaries are easy to read. */
    static final long T0 = 1_699_999_980_000L;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private TopologyTestDriver driver;
    private TestInputTopic<String, StepMetrics> steps;
    private TestInputTopic<String, String> rawSteps;
    private TestInputTopic<String, CapacityEvent> capacity;
    private TestInputTopic<String, DrafterMetrics> drafter;
    private KeyValueStore<String, ValueAndTimestamp<RunSummary>> summaries;
    private SimpleMeterRegistry registry;
    private final List<RunEvent> pushed = new ArrayList<>();

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
        RunUpdates recorder = new RunUpdates() {
            @Override
            public void event(RunEvent event) {
                pushed.add(event);
            }

            @Override
            public void summary(RunSummary summary) {
            }
        };
        TopologyProducer producer = new TopologyProducer(TestConfig.defaults(), new RunGauges(registry, 2), recorder);
        driver = new TopologyTestDriver(producer.buildTopology(), config, Instant.ofEpochMilli(T0));

        steps = driver.createInputTopic(Topics.TRAIN_METRICS, new StringSerializer(), JsonSerde.of(StepMetrics.class));
        rawSteps = driver.createInputTopic(Topics.TRAIN_METRICS, new StringSerializer(), new StringSerializer());
        capacity = driver.createInputTopic(Topics.CAPACITY_EVENTS, new StringSerializer(), JsonSerde.of(CapacityEvent.class));
        drafter = driver.createInputTopic(Topics.DRAFTER_METRICS, new StringSerializer(), JsonSerde.of(DrafterMetrics.class));
        summaries = driver.getTimestampedKeyValueStore(TopologyProducer.RUN_SUMMARIES_STORE);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    /** A step at {@code 1000 * step} ms: 900 ms compute, 100 ms data wait, 1000 tokens/s, MFU 0.4, eval every 10 steps. */
    static StepMetrics step(String run, String worker, long step, double loss, long tokens) {
        return stepAt(run, worker, step, 1_000 * step, loss, tokens);
    }

    static StepMetrics stepAt(String run, String worker, long step, long time, double loss, long tokens) {
        return new StepMetrics(Schema.V1, run, worker, step, time, loss, step % 10 == 0 ? loss + 0.1 : null,
                3e-4, 1.5, tokens, tokens * step, 900, 100, 1_000, 0.4, 1, "0:" + step, 512);
    }

    private void send(StepMetrics metrics) {
        steps.pipeInput(metrics.key(), metrics);
    }

    private void idle(String worker, long time) {
        capacity.pipeInput(worker, new CapacityEvent.Idle(Schema.V1, worker, "r1", time, IdleReason.DATA_WAIT, 0));
    }

    private void busy(String worker, long time, long idleMs) {
        capacity.pipeInput(worker, new CapacityEvent.Busy(Schema.V1, worker, "r1", time, IdleReason.DATA_WAIT, idleMs));
    }

    private void draft(long time, long harvestedMs, double acceptLength) {
        drafter.pipeInput("d0", new DrafterMetrics(Schema.V1, "d0", "r1", time, harvestedMs, 10, 2.5, acceptLength, 1.8, 40));
    }

    private RunSummary summary(String run) {
        ValueAndTimestamp<RunSummary> stored = summaries.get(run);
        return stored == null ? null : stored.value();
    }

    private RunWindow window(Duration size, String run, long start) {
        WindowStore<String, ValueAndTimestamp<RunWindow>> store = driver.getTimestampedWindowStore(TopologyProducer.windowStore(size));
        ValueAndTimestamp<RunWindow> window = store.fetch(run, start);
        return window == null ? null : window.value();
    }

    private List<RunEvent> recordedEvents(String run) {
        WindowStore<String, RunEvent> store = driver.getWindowStore(TopologyProducer.RUN_EVENTS_STORE);
        List<RunEvent> events = new ArrayList<>();
        try (WindowStoreIterator<RunEvent> all = store.fetch(run, Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE))) {
            all.forEachRemaining((KeyValue<Long, RunEvent> e) -> events.add(e.value));
        }
        return events;
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
        assertEquals(0.4, r1.mfu(), 1e-9);
        assertEquals(10.0, r1.dataWaitPct(), 1e-9, "100 ms wait per 1000 ms");
        assertEquals(2_000, r1.updatedAt());
        assertEquals(1, summary("r2").steps());
    }

    @Test
    void redeliveredAndReplayedStepsCountOnceButLateNewStepsCount() {
        send(step("r1", "w0", 1, 9.0, 512));
        send(step("r1", "w0", 3, 7.0, 512));
        send(step("r1", "w0", 3, 7.0, 512));
        // A trainer replaying step 1 after a restore: same (run, worker, step), later time.
        send(stepAt("r1", "w0", 1, 5_000, 9.5, 512));
        // Step 2 arrives after step 3: late, but new.
        send(step("r1", "w0", 2, 8.0, 512));

        RunSummary r1 = summary("r1");
        assertEquals(3, r1.steps());
        assertEquals(1536, r1.tokensSeen());
        assertEquals(3, r1.latestStep());
        assertEquals(7.0, r1.latestLoss(), "a late step does not replace the latest");
        assertEquals(3, r1.workers().get("w0").latestStep());
        assertEquals(List.of(1L, 3L, 2L), pushed.stream().map(e -> e.step().step()).toList(), "SSE sees each step once");
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
    void tumblingWindowsPerRunAndWorker() {
        // 10 s window [T0, T0+10s): w0 steps 1-3, w1 step 1; the next window: w0 step 4.
        send(stepAt("r1", "w0", 1, T0 + 1_000, 9.0, 100));
        send(stepAt("r1", "w0", 2, T0 + 2_000, 8.0, 100));
        send(stepAt("r1", "w1", 1, T0 + 3_000, 6.0, 300));
        send(stepAt("r1", "w0", 3, T0 + 9_999, 7.0, 100));
        send(stepAt("r1", "w0", 4, T0 + 10_000, 5.0, 100));

        RunWindow first = window(Duration.ofSeconds(10), "r1", T0);
        assertEquals(4, first.total().steps());
        assertEquals(600, first.total().tokens());
        assertEquals(7.5, first.total().meanLoss(), 1e-9);
        assertEquals(6.0, first.total().lossMin());
        assertEquals(9.0, first.total().lossMax());
        assertEquals(0.4, first.total().mfu(), 1e-9);
        assertEquals(10.0, first.total().dataWaitPct(), 1e-9);
        assertEquals(3, first.workers().get("w0").steps());
        assertEquals(100.0, first.workers().get("w0").tokensPerS(), 1e-9, "300 tokens in 3 s of training");
        assertEquals(400.0, first.tokensPerS(), 1e-9, "w0 100/s + w1 300/s");

        assertEquals(1, window(Duration.ofSeconds(10), "r1", T0 + 10_000).total().steps());
        assertEquals(5, window(Duration.ofMinutes(1), "r1", T0).total().steps(), "the minute holds both");
    }

    @Test
    void lateStepsLandInTheirWindowWithinTheGraceOnly() {
        send(stepAt("r1", "w0", 1, T0 + 1_000, 9.0, 100));
        send(stepAt("r1", "w0", 5, T0 + 45_000, 8.0, 100));
        // Stream time is now T0+45s: [T0, T0+10s) closed at its end + 30 s grace = T0+40s.
        send(stepAt("r1", "w0", 2, T0 + 1_500, 8.5, 100));
        // [T0+10s, T0+20s) stays open until T0+50s.
        send(stepAt("r1", "w0", 3, T0 + 10_500, 8.2, 100));

        assertEquals(1, window(Duration.ofSeconds(10), "r1", T0).total().steps(), "too late for the closed window");
        assertEquals(1, window(Duration.ofSeconds(10), "r1", T0 + 10_000).total().steps(), "late but within grace");
        assertEquals(4, window(Duration.ofMinutes(1), "r1", T0).total().steps(), "the open minute takes both");
        assertEquals(4, summary("r1").steps(), "the summary counts every distinct step");
    }

    @Test
    void idleIsPairedWithBusyPerWorkerOnce() {
        idle("w0", T0 + 1_000);
        idle("w0", T0 + 1_200);        // still idle: the interval keeps its start
        busy("w0", T0 + 1_700, 999);   // paired: 700 ms, the BUSY's own figure is not needed
        busy("w0", T0 + 1_700, 999);   // re-delivery
        idle("w0", T0 + 1_600);        // out of order, older than the BUSY: ignored
        busy("w1", T0 + 2_000, 300);   // its IDLE was never seen: the BUSY's idleMs
        idle("w0", T0 + 3_000);        // open

        RunSummary r1 = summary("r1");
        assertEquals(1_000, r1.idleMs());
        WorkerCapacity w0 = r1.capacity().get("w0");
        assertEquals(WorkerCapacity.State.IDLE, w0.state());
        assertEquals(T0 + 3_000, w0.since());
        assertEquals(1, w0.idlePeriods());
        assertEquals(700, w0.idleMs());
        assertEquals(300, r1.capacity().get("w1").idleMs());
        assertEquals(700L, window(Duration.ofSeconds(10), "r1", T0).idleMs().get("w0"));
        assertEquals(1_000, window(Duration.ofSeconds(10), "r1", T0).totalIdleMs());
    }

    @Test
    void anIntervalLeftOpenIsClosedOnTheTimeout() {
        idle("w0", T0);
        driver.advanceWallClockTime(TIMEOUT.plusSeconds(20));

        RunSummary closed = summary("r1");
        assertEquals(TIMEOUT.toMillis(), closed.idleMs());
        assertEquals(1, closed.capacity().get("w0").timedOut());
        assertEquals(WorkerCapacity.State.BUSY, closed.capacity().get("w0").state());

        // The BUSY arrives after all (the worker was alive, 6 min idle): the rest of the interval is added once.
        busy("w0", T0 + Duration.ofMinutes(6).toMillis(), 0);
        assertEquals(Duration.ofMinutes(6).toMillis(), summary("r1").idleMs());

        // On event time too: an IDLE, and the next IDLE 10 min later without a BUSY between.
        idle("w1", T0 + 1_000);
        idle("w1", T0 + 1_000 + Duration.ofMinutes(10).toMillis());
        WorkerCapacity w1 = summary("r1").capacity().get("w1");
        assertEquals(TIMEOUT.toMillis(), w1.idleMs());
        assertEquals(WorkerCapacity.State.IDLE, w1.state(), "the new interval is open");
    }

    @Test
    void drafterReportsBecomeHarvestedSecondsAndAcceptLength() {
        idle("w0", T0);
        busy("w0", T0 + 10_000, 0);
        draft(T0 + 2_000, 1_000, 2.0);
        draft(T0 + 6_000, 4_000, 2.5);
        draft(T0 + 6_000, 4_000, 2.5);   // re-delivery
        draft(T0 + 4_000, 2_500, 2.2);   // out of order: the total at 6 s already includes it

        RunSummary r1 = summary("r1");
        assertEquals(4_000, r1.harvestedMs());
        assertEquals(40.0, r1.harvestPct(), 1e-9);
        assertEquals(2.5, r1.acceptLength());
        assertEquals(1.8, r1.speedup());
        assertEquals(4_000, window(Duration.ofSeconds(10), "r1", T0).harvestedMs());

        // A drafter that restarts reports a smaller total: it counts as new harvest.
        draft(T0 + 8_000, 500, 2.6);
        assertEquals(4_500, summary("r1").harvestedMs());
    }

    @Test
    void everyEventIsKeptAsAChartPoint() {
        send(stepAt("r1", "w0", 1, T0 + 1_000, 9.0, 100));
        send(stepAt("r1", "w0", 1, T0 + 1_000, 9.0, 100));
        idle("w0", T0 + 1_500);
        busy("w0", T0 + 2_000, 0);
        draft(T0 + 2_500, 300, 2.0);

        List<RunEvent> events = recordedEvents("r1");
        assertEquals(List.of(RunEvent.Kind.STEP, RunEvent.Kind.IDLE_START, RunEvent.Kind.IDLE_END, RunEvent.Kind.HARVEST),
                events.stream().map(RunEvent::kind).toList());
        assertEquals(9.0, SeriesMetric.LOSS.point(events.get(0)).orElseThrow().v());
        assertEquals(1L, SeriesMetric.LOSS.point(events.get(0)).orElseThrow().step());
        assertEquals(0.5, SeriesMetric.IDLE_S.point(events.get(2)).orElseThrow().v());
        assertEquals(0.3, SeriesMetric.HARVESTED_S.point(events.get(3)).orElseThrow().v());
        assertFalse(SeriesMetric.LOSS.point(events.get(2)).isPresent(), "an idle interval has no loss");
        assertTrue(SeriesMetric.EVAL_LOSS.point(events.get(0)).isEmpty(), "no eval at step 1");
    }
}
