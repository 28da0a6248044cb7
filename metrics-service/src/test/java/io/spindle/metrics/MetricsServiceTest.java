package io.spindle.metrics;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/** End to end: records on the real broker's topics, answers from the REST API and /q/metrics. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class MetricsServiceTest {

    private static final Duration STREAMS_WAIT = Duration.ofSeconds(45);

    @InjectKafkaBroker
    String bootstrapServers;

    private void produce(String topic, String key, byte[] value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    private void produce(StepMetrics step) {
        produce(Topics.TRAIN_METRICS, step.key(), Json.write(step));
    }

    @Test
    void stepsOnKafkaShowUpInTheRunSummary() {
        String run = "run-" + UUID.randomUUID();
        produce(Topics.TRAIN_METRICS, run + "/w0", "{not json".getBytes(StandardCharsets.UTF_8));
        produce(TopologyTest.step(run, "w0", 1, 9.0, 512));
        produce(TopologyTest.step(run, "w0", 2, 8.0, 512));
        produce(TopologyTest.step(run, "w0", 2, 8.0, 512));

        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", run)
                .then().statusCode(200)
                .body("run", is(run))
                .body("steps", is(2))
                .body("tokensSeen", is(1024))
                .body("latestLoss", is(8.0f)));

        given().get("/api/runs").then().statusCode(200).body("run", hasItem(run));
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("spindle_run_step{run=\"" + run + "\"} 2.0")));
    }

    @Test
    void unknownRunIsA404WithAMessage() {
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", "no-such-run")
                .then().statusCode(404)
                .body("error", containsString("no-such-run")));
    }

    @Test
    void readyOnceTheStreamRuns() {
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", is("UP")));
    }

    @Test
    void capacityEventsSumIdleTimePerWorker() {
        String worker = "worker-" + UUID.randomUUID();
        produce(Topics.CAPACITY_EVENTS, worker,
                Json.write(new CapacityEvent.Idle(Schema.V1, worker, "r1", 1_000, IdleReason.DATA_WAIT, 0)));
        produce(Topics.CAPACITY_EVENTS, worker,
                Json.write(new CapacityEvent.Busy(Schema.V1, worker, "r1", 1_300, IdleReason.DATA_WAIT, 300)));

        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/capacity/{worker}", worker)
                .then().statusCode(200)
                .body("state", is("BUSY"))
                .body("idleMs", is(300)));
    }
}
