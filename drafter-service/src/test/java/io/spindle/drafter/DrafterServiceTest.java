package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.Topics;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** End to end: capacity events as raw JSON on the real broker, idle windows from the REST API. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class DrafterServiceTest {

    private static final Duration CONSUME_WAIT = Duration.ofSeconds(30);

    @InjectKafkaBroker
    String bootstrapServers;

    private void produce(String key, String json) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, key, json));
        }
    }

    @Test
    void idleThenBusyOnKafkaBecomesAWindow() {
        String worker = "worker-" + UUID.randomUUID();
        // A malformed record first: it must be skipped, not stop the channel.
        produce(worker, "{not json");
        produce(worker, """
                {"state":"IDLE","schema":1,"worker":"%s","run":"r1","time":1000,"reason":"DATA_WAIT","expectedIdleMs":200}
                """.formatted(worker));
        await().atMost(CONSUME_WAIT).untilAsserted(() -> given().get("/api/idle-windows/{worker}", worker)
                .then().statusCode(200)
                .body("open.start", is(1000))
                .body("open.reason", is("DATA_WAIT")));

        produce(worker, """
                {"state":"BUSY","schema":1,"worker":"%s","run":"r1","time":1250,"reason":"DATA_WAIT","idleMs":250}
                """.formatted(worker));
        await().atMost(CONSUME_WAIT).untilAsserted(() -> given().get("/api/idle-windows/{worker}", worker)
                .then().statusCode(200)
                .body("open", nullValue())
                .body("totalIdleMs", is(250))
                .body("recent[0].durationMs", is(250)));

        given().get("/api/idle-windows").then().statusCode(200).body("worker", hasItem(worker));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("spindle_drafter_worker_idle_ms_total{worker=\"" + worker + "\"} 250.0"))
                .body(containsString("spindle_drafter_capacity_events_skipped_total 1.0"));
    }

    @Test
    void unknownWorkerIsA404WithAMessage() {
        given().get("/api/idle-windows/{worker}", "no-such-worker")
                .then().statusCode(404)
                .body("error", containsString("no-such-worker"));
    }

    @Test
    void badLimitIsA400WithAMessage() {
        given().get("/api/idle-windows?limit=-1").then().statusCode(400).body("error", containsString("limit"));
    }

    @Test
    void healthIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }
}
