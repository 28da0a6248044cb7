package io.spindle.trainer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.IdleReason;
import io.spindle.model.CheckpointStore;
import io.spindle.model.GptTrainer;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer against a real broker: it trains on what arrives, reports every step, and says when it idles. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class,
        initArgs = @ResourceArg(name = "partitions.train.batches", value = "1"))
@QuarkusTestResource(FreshCheckpointDir.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerServiceTest {

    private static final int ROWS = 4;
    private static final int ROW_LENGTH = 17;

    @InjectKafkaBroker
    String bootstrap;

    @Test
    @Order(1)
    void trainsEveryBatchReportsEachStepAndAnnouncesIdleAndBusy() throws IOException {
        List<StepMetrics> metrics = new ArrayList<>();
        List<CapacityEvent> capacity = new ArrayList<>();
        List<CheckpointAnnouncement> checkpoints = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS, Topics.TRAIN_CHECKPOINTS));

            // No data yet: after the 100 ms threshold the trainer must say it is idle.
            await().atMost(Duration.ofSeconds(60)).until(() -> drain(consumer, metrics, capacity, checkpoints)
                    && capacity.stream().anyMatch(CapacityEvent.Idle.class::isInstance));

            producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", new byte[] {1, 2, 3})); // garbage: skipped
            for (int seq = 0; seq < 30; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(seq))));
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(120)).until(() -> drain(consumer, metrics, capacity, checkpoints) && metrics.size() >= 30 && checkpoints.size() >= 3);
        }
        assertEquals(30, metrics.get(29).step());
        assertEquals("0:0", metrics.get(0).batchId());
        assertEquals((long) ROWS * (ROW_LENGTH - 1), metrics.get(0).tokens());
        double firstLoss = metrics.get(0).loss();
        double lastLoss = metrics.get(29).loss();
        assertTrue(lastLoss < firstLoss * 0.7, "loss fell from " + firstLoss + " to " + lastLoss);
        assertTrue(metrics.stream().allMatch(m -> m.tokensPerS() > 0 && m.mfu() > 0 && m.stepMs() > 0));

        CapacityEvent first = capacity.get(0);
        assertInstanceOf(CapacityEvent.Idle.class, first);
        CapacityEvent.Busy busy = assertInstanceOf(CapacityEvent.Busy.class, capacity.get(1));
        assertTrue(busy.time() >= first.time());
        assertEquals(busy.time() - first.time(), busy.idleMs());

        // Every 10 steps (test profile) a checkpoint, announced with the digest of its weights and its offsets.
        assertEquals(List.of(10L, 20L, 30L), checkpoints.stream().map(CheckpointAnnouncement::step).toList());
        CheckpointAnnouncement last = checkpoints.get(2);
        Path dir = Path.of(URI.create(last.uri()));
        assertEquals(CheckpointStore.sha256(dir.resolve(GptTrainer.WEIGHTS_FILE)), last.sha256());
        assertEquals(32, last.modelConfig().get("dModel"));
        assertEquals("pattern", last.tokenizerId());
        CheckpointStore.Checkpoint stored = CheckpointStore.verify(dir);
        // 31 records read (the garbage one included): the next offset to train is 31.
        assertEquals(Map.of("offset.train.batches-0", "31"), stored.metadata());
        assertTrue(metrics.stream().allMatch(m -> m.peakRssMb() > 0 && m.lossScale() == 1.0));

        given().get("/api/status").then().statusCode(200)
                .body("step", greaterThanOrEqualTo(30))
                .body("dataWaitPct", both(greaterThanOrEqualTo(0f)).and(lessThanOrEqualTo(100f)))
                .body("skippedBatches", greaterThanOrEqualTo(1));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    /**
     * A bursty feed: bursts of batches with pauses longer than the idle threshold between them. Each pause
     * must give exactly one IDLE (announced after the threshold, with its reason) and then one BUSY when the
     * next burst arrives, carrying the idle time from the announcement to the resumption.
     */
    @Test
    @Order(2)
    void aBurstyFeedGivesOneIdleBusyPairPerPause() {
        long startedAt = System.currentTimeMillis();
        int bursts = 4;
        List<StepMetrics> metrics = new ArrayList<>();
        List<CapacityEvent> capacity = new ArrayList<>();
        List<CheckpointAnnouncement> checkpoints = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS));
            for (int burst = 0; burst < bursts; burst++) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(100 + burst * 3 + i))));
                }
                producer.flush();
                // The pause: wait until the trainer has run dry and said so, then send the next burst.
                int idles = burst + 1;
                await().atMost(Duration.ofSeconds(60)).until(() -> drain(consumer, metrics, capacity, checkpoints)
                        && idleCount(capacity, startedAt) >= idles);
            }
        }
        List<CapacityEvent> events = new ArrayList<>(capacity.stream().filter(e -> e.time() >= startedAt).toList());
        if (events.get(0) instanceof CapacityEvent.Busy) {
            events.remove(0); // ends the idle period left over from the previous test
        }
        for (int i = 0; i < (bursts - 1) * 2; i += 2) {
            CapacityEvent.Idle idle = assertInstanceOf(CapacityEvent.Idle.class, events.get(i), "event " + i + " of " + events);
            CapacityEvent.Busy busy = assertInstanceOf(CapacityEvent.Busy.class, events.get(i + 1), "event " + (i + 1) + " of " + events);
            assertEquals(IdleReason.DATA_WAIT, idle.reason());
            assertEquals(idle.reason(), busy.reason());
            assertTrue(idle.expectedIdleMs() > 100, "IDLE only after waiting longer than the 100 ms threshold: " + idle);
            assertEquals(busy.time() - idle.time(), busy.idleMs(), "BUSY carries the idle duration");
            assertTrue(busy.time() >= idle.time());
        }
        assertInstanceOf(CapacityEvent.Idle.class, events.get((bursts - 1) * 2), "idle again after the last burst");
    }

    private static int idleCount(List<CapacityEvent> capacity, long since) {
        return (int) capacity.stream().filter(e -> e.time() >= since).filter(CapacityEvent.Idle.class::isInstance).count();
    }

    /** A repeating pattern a one-layer model learns within a few steps. */
    static TokenBatch batch(long seq) {
        int[] tokens = new int[ROWS * ROW_LENGTH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = 1 + (int) ((i + seq) % 8);
        }
        int[][] starts = new int[ROWS][0];
        return new TokenBatch("test", seq, ROWS, ROW_LENGTH, tokens, starts, "pattern", new TokenBatch.Lineage(0, seq, seq));
    }

    private static boolean drain(KafkaConsumer<String, byte[]> consumer, List<StepMetrics> metrics, List<CapacityEvent> capacity,
                                 List<CheckpointAnnouncement> checkpoints) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.topic().equals(Topics.TRAIN_METRICS)) {
                metrics.add(Json.read(record.value(), StepMetrics.class));
            } else if (record.topic().equals(Topics.TRAIN_CHECKPOINTS)) {
                checkpoints.add(Json.read(record.value(), CheckpointAnnouncement.class));
            } else {
                capacity.add(Json.read(record.value(), CapacityEvent.class));
            }
        }
        return true;
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "trainer-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
