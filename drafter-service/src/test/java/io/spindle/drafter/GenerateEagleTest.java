package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.spindle.kafka.KafkaBrokerResource;

import io.restassured.path.json.JsonPath;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link GenerateTest} case again with the EAGLE drafter (the production default): it is built when
 * the first target arrives, carried over to the newer target, and drafts over the target's own features;
 * greedy speculative output must still equal the target's.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@TestProfile(GenerateEagleTest.Eagle.class)
class GenerateEagleTest extends GenerateTest {

    /**
     * In an idle window the EAGLE drafter trains against the loaded target, with a finite loss, and every
     * 4 steps (this profile) measures its accept length and speed-up.
     */
    @Test
    @Order(6)
    void trainsAgainstTheTargetInAnIdleWindow() {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            Random random = new Random(3);
            for (int seq = 0; seq < 4; seq++) {
                int[] tokens = random.ints(2 * 33, 0, 8192).toArray();
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(new TokenBatch("eagle", seq, 2, 33,
                        tokens, new int[2][0], "samples", new TokenBatch.Lineage(0, seq, seq)))));
            }
            send(producer, new CapacityEvent.Idle(Schema.V1, "spot-worker", "r", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0));
            await().atMost(Duration.ofSeconds(60)).until(() -> spot().getLong("steps") >= 4 && spot().get("acceptLength") != null);
            send(producer, new CapacityEvent.Busy(Schema.V1, "spot-worker", "r", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING".equals(spot().getString("state")));
        }
        float loss = spot().getFloat("loss");
        assertTrue(Float.isFinite(loss) && loss > 0, "drafter loss " + loss);
        // Each target pass emits its accepted drafts plus one token of its own: at least 1, at most the longest draft + 1.
        double acceptLength = spot().getDouble("acceptLength");
        assertTrue(acceptLength >= 1 && acceptLength <= 9, "accept length " + acceptLength);
        assertTrue(spot().getDouble("speedup") > 0, "speed-up " + spot().getDouble("speedup"));
        greedySpeculativeTextEqualsGreedyTargetOnlyText();
    }

    private static JsonPath spot() {
        return given().get("/api/spot").then().statusCode(200).extract().jsonPath();
    }

    private static void send(KafkaProducer<String, byte[]> producer, CapacityEvent event) {
        producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, event.worker(), Json.write(event)));
        producer.flush();
    }

    public static final class Eagle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spindle.drafter.spot.kind", "eagle", "spindle.drafter.run", "run-eagle",
                    "spindle.drafter.spot.probe-every-steps", "4");
        }
    }
}
