package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * metrics-service killed ({@code kill -9}) and restarted with its local state deleted: its aggregates must
 * come back from the changelog topics alone. The run summary and a series after the restart equal those
 * before it; then new events, and re-sent old ones (as a trainer that resumed from a checkpoint re-reports
 * steps), add on top exactly once: every step counted once, its tokens, compute and idle time summed once.
 */
class MetricsRestartIT {

    static final String RUN = "metrics-it";
    static final String WORKER = "trainer-0";
    static final long TOKENS = 128;
    static final double STEP_MS = 10;
    static final long IDLE_MS = 1500;
    /** Event times are synthetic and fixed, so the summaries are deterministic. */
    static final long T0 = 1_700_000_000_000L;

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ClusterFixture.cluster("metrics-restart", List.of(Service.METRICS));
        cluster.startKafka(Map.of(), Duration.ofSeconds(180));
        cluster.startService(Service.METRICS, Map.of(), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stopAll();
        }
    }

    @Test
    void aggregatesComeBackFromTheChangelogAndLaterEventsCountOnce() throws Exception {
        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster)) {
            sendSteps(producer, 1, 40);
            sendIdleInterval(producer, T0 + 40_500);
            JsonNode before = awaitSummary(RUN, s -> s.path("steps").asLong() == 40 && s.path("idleMs").asLong() == IDLE_MS);

            restartFromChangelog();
            System.out.printf("metrics fault: killed metrics-service (SIGKILL) after 40 steps and 1 idle interval, deleted its "
                    + "state dir, restarted it%n");
            JsonNode after = awaitSummary(RUN, s -> s.path("steps").asLong() >= 40);
            assertEquals(before, after, "the run summary came back from the changelog as it was");

            // New steps 41-60, steps 31-40 again, then step 61, and a second idle interval: each counts once. Step 61
            // shares the re-sent steps' key, so once the summary shows it, they have been counted or dropped.
            sendSteps(producer, 41, 60);
            sendSteps(producer, 31, 40);
            sendSteps(producer, 61, 61);
            sendIdleInterval(producer, T0 + 61_500);
            JsonNode last = awaitSummary(RUN, s -> s.path("latestStep").asLong() == 61 && s.path("idleMs").asLong() >= 2 * IDLE_MS);
            assertEquals(61, last.path("steps").asLong(), "61 distinct steps, each counted once");
            assertEquals(61 * TOKENS, last.path("tokensSeen").asLong(), "tokens of 61 steps, each summed once");
            assertEquals(61 * STEP_MS, last.path("computeMs").asDouble(), 1e-9, "compute time of 61 steps");
            assertEquals(2 * IDLE_MS, last.path("idleMs").asLong(), "two idle intervals, each summed once");
            assertEquals(1, last.path("firstStep").asLong());
            assertEquals(loss(61), last.path("latestLoss").asDouble(), 1e-12);
            System.out.printf("metrics fault: checked the summary equal before/after the restart (%d steps, %d idle ms); "
                            + "after 21 new and 10 re-sent steps: %d steps, %d tokens, %d idle ms: 0 lost, 0 duplicated%n",
                    before.path("steps").asLong(), before.path("idleMs").asLong(), last.path("steps").asLong(),
                    last.path("tokensSeen").asLong(), last.path("idleMs").asLong());
        }
    }

    /** The raw series (the {@code run-events} window store, RocksDB, retainDuplicates) comes back whole too. */
    @Test
    void theRawSeriesComesBackFromTheChangelog() throws Exception {
        String run = "metrics-it-series";
        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster)) {
            sendSteps(producer, run, 1, 10);
            awaitSummary(run, s -> s.path("steps").asLong() == 10);
            JsonNode before = series(run, "loss");
            assertEquals(10, before.size());
            restartFromChangelog();
            awaitSummary(run, s -> s.path("steps").asLong() == 10);
            assertEquals(before, series(run, "loss"), "the loss series came back from the changelog as it was");
        }
    }

    /** kill -9, delete the local state, start again: everything it knows must come from the changelog topics. */
    private static void restartFromChangelog() throws IOException {
        cluster.kill(Service.METRICS);
        Path state = cluster.layout().state(Service.METRICS);
        deleteTree(state);
        assertFalse(Files.exists(state));
        cluster.startService(Service.METRICS, Map.of(), Duration.ofSeconds(90));
    }

    private static double loss(long step) {
        return 6.0 - step * 0.05;
    }

    private static void sendSteps(KafkaProducer<String, byte[]> producer, long from, long to) throws Exception {
        sendSteps(producer, RUN, from, to);
    }

    private static void sendSteps(KafkaProducer<String, byte[]> producer, String run, long from, long to) throws Exception {
        for (long step = from; step <= to; step++) {
            StepMetrics m = new StepMetrics(Schema.V1, run, WORKER, step, T0 + step * 1000, loss(step), null, 1e-3, 0.5,
                    TOKENS, step * TOKENS, STEP_MS, 1, TOKENS / 0.011, 0.1, 1, "0:" + (step - 1), -1);
            producer.send(new ProducerRecord<>(Topics.TRAIN_METRICS, m.key(), Json.write(m)));
        }
        producer.flush();
    }

    private static void sendIdleInterval(KafkaProducer<String, byte[]> producer, long at) throws Exception {
        CapacityEvent idle = new CapacityEvent.Idle(Schema.V1, WORKER, RUN, at, IdleReason.DATA_WAIT, 0);
        CapacityEvent busy = new CapacityEvent.Busy(Schema.V1, WORKER, RUN, at + IDLE_MS, IdleReason.DATA_WAIT, IDLE_MS);
        producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, WORKER, Json.write(idle))).get();
        producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, WORKER, Json.write(busy))).get();
    }

    private static JsonNode awaitSummary(String run, java.util.function.Predicate<JsonNode> done) {
        String url = cluster.layout().url(Service.METRICS) + "/api/runs/" + run;
        JsonNode[] last = new JsonNode[1];
        await("summary of " + run).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> Http.json(url).map(s -> {
                    last[0] = s;
                    return done.test(s);
                }).orElse(false));
        return last[0];
    }

    private static JsonNode series(String run, String metric) {
        return Http.json(cluster.layout().url(Service.METRICS) + "/api/runs/" + run + "/series?metric=" + metric).orElseThrow().path("points");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
