package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import io.restassured.path.json.JsonPath;
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

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spot trainer against a real broker and real DJL: it trains only inside an idle window. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class SpotTrainerTest {

    private static final String WORKER = "spot-worker"; // the one worker %test config serves

    @InjectKafkaBroker
    String bootstrap;

    @Test
    void trainsWhileTheServedWorkerIsIdleAndYieldsOnBusy() {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int seq = 0; seq < 400; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(seq))));
            }
            producer.flush();
            assertEquals(0, spot().getLong("steps"), "no idle window yet, so no training");

            send(producer, new CapacityEvent.Idle(Schema.V1, WORKER, "r", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0));
            await().atMost(Duration.ofSeconds(60)).until(() -> spot().getLong("steps") >= 5);

            send(producer, new CapacityEvent.Busy(Schema.V1, WORKER, "r", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> spot().getLong("windows") >= 1
                    && "WAITING".equals(spot().getString("state")));
        }
        JsonPath afterWindow = spot();
        assertTrue(afterWindow.getLong("harvestedMs") > 0);
        assertTrue(afterWindow.getLong("lastPreemptionMs") >= 0);
        long steps = afterWindow.getLong("steps");

        List<DrafterMetrics> metrics = new ArrayList<>();
        List<CheckpointAnnouncement> checkpoints = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "spot-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DRAFTER_METRICS, Topics.DRAFTER_CHECKPOINTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(Topics.DRAFTER_METRICS)) {
                        metrics.add(Json.read(record.value(), DrafterMetrics.class));
                    } else {
                        checkpoints.add(Json.read(record.value(), CheckpointAnnouncement.class));
                    }
                }
                return !metrics.isEmpty() && !checkpoints.isEmpty();
            });
        }
        DrafterMetrics reported = metrics.get(metrics.size() - 1);
        assertEquals(steps, reported.steps());
        assertTrue(reported.harvestedIdleMs() > 0);
        CheckpointAnnouncement checkpoint = checkpoints.get(checkpoints.size() - 1);
        assertEquals(steps, checkpoint.step());
        assertEquals(64, checkpoint.sha256().length());
        assertTrue(Files.isDirectory(Path.of(URI.create(checkpoint.uri()))), checkpoint.uri());
        assertEquals("pattern", checkpoint.tokenizerId());

        // Busy again: the drafter must not take another step.
        assertEquals(steps, spot().getLong("steps"));
    }

    private static JsonPath spot() {
        return given().get("/api/spot").then().statusCode(200).extract().jsonPath();
    }

    private static void send(KafkaProducer<String, byte[]> producer, CapacityEvent event) {
        producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, event.worker(), Json.write(event)));
        producer.flush();
    }

    private static TokenBatch batch(long seq) {
        int rows = 4;
        int rowLength = 17;
        int[] tokens = new int[rows * rowLength];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = 1 + (int) ((i + seq) % 8);
        }
        return new TokenBatch("test", seq, rows, rowLength, tokens, new int[rows][0], "pattern",
                new TokenBatch.Lineage(0, seq, seq));
    }
}
