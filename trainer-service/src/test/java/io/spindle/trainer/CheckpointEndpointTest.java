package io.spindle.trainer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import io.spindle.model.CheckpointStore;
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

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /api/checkpoint with a configured token: 401 without it or with a wrong one; with it, a real checkpoint. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class,
        initArgs = @ResourceArg(name = "partitions.train.batches", value = "1"))
@QuarkusTestResource(FreshCheckpointDir.class)
@TestProfile(CheckpointEndpointTest.WithToken.class)
class CheckpointEndpointTest {

    static final String TOKEN = "test-token-0123456789abcdef";

    /** A token, and no periodic checkpoints, so the one that appears is the one asked for. */
    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spindle.trainer.api-token", TOKEN, "spindle.trainer.checkpoint.interval", "1000");
        }
    }

    @InjectKafkaBroker
    String bootstrap;

    @Test
    void refusesWithoutTheTokenAndWritesACheckpointBetweenStepsWithIt() throws IOException {
        Response missing = given().post("/api/checkpoint");
        assertEquals(401, missing.statusCode(), missing.asString());
        assertTrue(missing.jsonPath().getString("error").startsWith("missing bearer token"), missing.asString());
        assertTrue(missing.header("WWW-Authenticate").startsWith("Bearer"));
        Response wrong = given().header("Authorization", "Bearer " + TOKEN + "x").post("/api/checkpoint");
        assertEquals(401, wrong.statusCode(), wrong.asString());
        assertEquals("wrong bearer token", wrong.jsonPath().getString("error"));

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int seq = 0; seq < 3; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(TrainerServiceTest.batch(seq))));
            }
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/status").jsonPath().getLong("step") == 3);

        Response accepted = given().header("Authorization", "Bearer " + TOKEN).post("/api/checkpoint");
        assertEquals(202, accepted.statusCode(), accepted.asString());
        assertEquals(3, accepted.jsonPath().getLong("step"));

        List<CheckpointAnnouncement> announced = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "checkpoint-endpoint-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.TRAIN_CHECKPOINTS));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    announced.add(Json.read(record.value(), CheckpointAnnouncement.class));
                }
                return !announced.isEmpty();
            });
        }
        assertEquals(List.of(3L), announced.stream().map(CheckpointAnnouncement::step).toList(),
                "one checkpoint, of step 3: periodic ones are every 1000 steps");
        CheckpointStore.Checkpoint stored = CheckpointStore.verify(Path.of(URI.create(announced.get(0).uri())));
        assertEquals(3, stored.step());
        assertEquals(Map.of("offset.train.batches-0", "3"), stored.metadata(), "the offsets of exactly the steps trained");
    }
}
