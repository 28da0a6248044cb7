package io.spindle.trainer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.CapacityEvent;
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
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer against a real broker: it trains on what arrives, reports every step, and says when it idles. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class,
        initArgs = @ResourceArg(name = "partitions.train.batches", value = "1"))
class TrainerServiceTest {

    private static final int ROWS = 4;
    private static final int ROW_LENGTH = 17;

    @InjectKafkaBroker
    String bootstrap;

    @Test
    void trainsEveryBatchReportsEachStepAndAnnouncesIdleAndBusy() {
        List<StepMetrics> metrics = new ArrayList<>();
        List<CapacityEvent> capacity = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS));

            // No data yet: after the 100 ms threshold the trainer must say it is idle.
            await().atMost(Duration.ofSeconds(60)).until(() -> drain(consumer, metrics, capacity)
                    && capacity.stream().anyMatch(CapacityEvent.Idle.class::isInstance));

            producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", new byte[] {1, 2, 3})); // garbage: skipped
            for (int seq = 0; seq < 30; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(seq))));
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(120)).until(() -> drain(consumer, metrics, capacity) && metrics.size() >= 30);
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

        given().get("/api/status").then().statusCode(200)
                .body("step", greaterThanOrEqualTo(30))
                .body("skippedBatches", greaterThanOrEqualTo(1));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    /** A repeating pattern a one-layer model learns within a few steps. */
    private static TokenBatch batch(long seq) {
        int[] tokens = new int[ROWS * ROW_LENGTH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = 1 + (int) ((i + seq) % 8);
        }
        int[][] starts = new int[ROWS][0];
        return new TokenBatch("test", seq, ROWS, ROW_LENGTH, tokens, starts, "pattern", new TokenBatch.Lineage(0, seq, seq));
    }

    private static boolean drain(KafkaConsumer<String, byte[]> consumer, List<StepMetrics> metrics, List<CapacityEvent> capacity) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.topic().equals(Topics.TRAIN_METRICS)) {
                metrics.add(Json.read(record.value(), StepMetrics.class));
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
