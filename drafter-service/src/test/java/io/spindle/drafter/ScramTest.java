package io.spindle.drafter;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * Security by configuration alone: against a broker that only accepts SASL/SCRAM, the service's messaging
 * channel and its spot trainer's own clients connect with the credentials given as {@code kafka.*} settings.
 */
@QuarkusTest
@TestProfile(ScramTest.Scram.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = "scram", value = "true"))
class ScramTest {

    /** Its own profile, so the SCRAM broker gets its own application start. */
    public static class Scram implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spindle.drafter.spot.serve", "scram-worker");
        }
    }

    @InjectKafkaBroker
    String bootstrap;

    @ConfigProperty(name = "kafka.sasl.jaas.config")
    String jaas;

    @Test
    void capacityEventsFlowOverSaslScram() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", jaas);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            int[] tokens = new int[2 * 17];
            java.util.Arrays.fill(tokens, 3);
            producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(new TokenBatch("scram", 0, 2, 17,
                    tokens, new int[2][0], "t", new TokenBatch.Lineage(0, 0, 0)))));
            producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, "scram-worker", """
                    {"state":"IDLE","schema":1,"worker":"scram-worker","run":"r","time":1000,"reason":"DATA_WAIT","expectedIdleMs":0}
                    """.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        // The messaging channel read the IDLE ...
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/idle-windows/scram-worker")
                .then().statusCode(200).body("open.start", is(1000)));
        // ... and the spot trainer's own consumer read the batch and trained on it.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/spot")
                .then().statusCode(200).body("steps", greaterThanOrEqualTo(1)));
        given().get("/q/health/live").then().statusCode(200);

        // Close the window: an open one keeps the drafter training (it replays recent batches), and PyTorch
        // allows one gradient collector per JVM, which later tests in this JVM need.
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, "scram-worker", """
                    {"state":"BUSY","schema":1,"worker":"scram-worker","run":"r","time":2000,"reason":"DATA_WAIT","idleMs":1000}
                    """.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/spot")
                .then().statusCode(200).body("state", is("WAITING")));
    }
}
