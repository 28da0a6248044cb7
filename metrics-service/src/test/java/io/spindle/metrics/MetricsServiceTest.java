package io.spindle.metrics;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import io.restassured.RestAssured;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end: records on the real broker's topics, answers from the REST API, SSE and /q/metrics. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(FreePortResource.class)
class MetricsServiceTest {

    static final Duration STREAMS_WAIT = Duration.ofSeconds(45);

    @InjectKafkaBroker
    String bootstrapServers;

    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void openProducer() {
        producer = producer(bootstrapServers);
    }

    @AfterEach
    void closeProducer() {
        producer.close();
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Event times of this test: now, so they are never behind the stream time other tests moved on (events further
     * behind than the dedup retention are dropped).
     */
    private static long now() {
        return System.currentTimeMillis();
    }

    private void produce(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
        producer.flush();
    }

    private void produce(StepMetrics step) {
        produce(Topics.TRAIN_METRICS, step.key(), Json.write(step));
    }

    @Test
    void stepsOnKafkaShowUpInTheRunSummary() {
        String run = "run-" + UUID.randomUUID();
        produce(Topics.TRAIN_METRICS, run + "/w0", "{not json".getBytes(StandardCharsets.UTF_8));
        long t = now();
        produce(TopologyTest.stepAt(run, "w0", 1, t, 9.0, 512));
        produce(TopologyTest.stepAt(run, "w0", 2, t + 1, 8.0, 512));
        produce(TopologyTest.stepAt(run, "w0", 2, t + 1, 8.0, 512));

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
    void seriesServeRawAndWindowedPoints() {
        String run = "series-" + UUID.randomUUID();
        // A minute boundary a minute ahead: the windows are still open when the steps arrive, whatever other tests sent.
        long t0 = (now() / 60_000 + 1) * 60_000;
        produce(TopologyTest.stepAt(run, "w0", 1, t0 + 1_000, 9.0, 100));
        produce(TopologyTest.stepAt(run, "w0", 2, t0 + 2_000, 8.0, 100));
        produce(TopologyTest.stepAt(run, "w0", 3, t0 + 12_000, 7.0, 100));

        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}/series?metric=loss", run)
                .then().statusCode(200)
                .body("points", hasSize(3))
                .body("points.step", hasItems(1, 2, 3))
                .body("points.v", hasItems(9.0f, 8.0f, 7.0f)));
        given().get("/api/runs/{run}/series?metric=loss&from={from}&to={to}", run, t0 + 1_500, t0 + 2_500)
                .then().statusCode(200).body("points.v", is(java.util.List.of(8.0f)));
        given().get("/api/runs/{run}/series?metric=loss&window=10s", run)
                .then().statusCode(200)
                .body("window", is("10s"))
                .body("points.t", is(java.util.List.of(t0, t0 + 10_000)))
                .body("points.v", is(java.util.List.of(8.5f, 7.0f)));
        given().get("/api/runs/{run}/series?metric=steps&window=1m&from={from}", run, java.time.Instant.ofEpochMilli(t0 - 60_000).toString())
                .then().statusCode(200).body("points.v", is(java.util.List.of(3.0f)));
    }

    @Test
    void badQueriesAreClear4xxWithJson() {
        String run = "bad-" + UUID.randomUUID();
        produce(TopologyTest.stepAt(run, "w0", 1, now(), 9.0, 1));
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", run).then().statusCode(200));

        given().get("/api/runs/{run}", "no-such-run").then().statusCode(404).body("error", containsString("no-such-run"));
        given().get("/api/runs/{run}/series?metric=loss", "no-such-run").then().statusCode(404)
                .body("error", containsString("no-such-run"));
        given().get("/api/runs/{run}/series?metric=perplexity", run).then().statusCode(404)
                .body("error", containsString("perplexity"));
        given().get("/api/runs/{run}/series?metric=loss&from=yesterday", run).then().statusCode(400)
                .body("error", containsString("from"));
        given().get("/api/runs/{run}/series?metric=loss&from=10&to=5", run).then().statusCode(400)
                .body("error", containsString("after"));
        given().get("/api/runs/{run}/series?metric=loss&window=7s", run).then().statusCode(400)
                .body("error", containsString("10s, 1m"));
        given().get("/api/runs/{run}/series?metric=eval_loss&window=10s", run).then().statusCode(400)
                .body("error", containsString("per step only"));
    }

    @Test
    void capacityAndDrafterEventsFeedTheSummary() {
        String run = "idle-" + UUID.randomUUID();
        String worker = "worker-" + UUID.randomUUID();
        long t = now();
        produce(Topics.CAPACITY_EVENTS, worker, Json.write(new CapacityEvent.Idle(Schema.V1, worker, run, t, IdleReason.DATA_WAIT, 0)));
        produce(Topics.CAPACITY_EVENTS, worker, Json.write(new CapacityEvent.Busy(Schema.V1, worker, run, t + 300, IdleReason.DATA_WAIT, 999)));
        produce(Topics.DRAFTER_METRICS, "d0", Json.write(new DrafterMetrics(Schema.V1, "d0", run, t + 400, 150, 3, 2.0, 2.75, 1.9, 20)));

        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", run)
                .then().statusCode(200)
                .body("idleMs", is(300))
                .body("harvestedMs", is(150))
                .body("harvestPct", is(50.0f))
                .body("acceptLength", is(2.75f)));
        given().get("/api/capacity/{worker}", worker).then().statusCode(200)
                .body("state", is("BUSY")).body("idleMs", is(300));
    }

    @Test
    void sseStreamPushesNewPoints() {
        String run = "live-" + UUID.randomUUID();
        long t = now();
        produce(TopologyTest.stepAt(run, "w0", 1, t, 9.0, 1));
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", run).then().statusCode(200));

        try (SseClient sse = new SseClient("http://127.0.0.1:" + RestAssured.port + "/api/runs/" + run + "/events")) {
            await().atMost(STREAMS_WAIT).until(() -> sse.saw("hello"));
            produce(TopologyTest.stepAt(run, "w0", 2, t + 1, 4.25, 1));
            await().atMost(STREAMS_WAIT).until(() -> sse.events.stream()
                    .anyMatch(e -> e.name().equals("points") && e.data().contains("\"loss\":[{\"t\":" + (t + 1) + ",\"step\":2,\"series\":\"w0\",\"v\":4.25}]")));
            await().atMost(STREAMS_WAIT).until(() -> sse.events.stream()
                    .anyMatch(e -> e.name().equals("summary") && e.data().contains("\"latestLoss\":4.25")));
        }
    }

    @Test
    void openApiDocumentDescribesTheApi() {
        String document = given().accept("application/json").get("/q/openapi").then().statusCode(200).extract().asString();
        assertTrue(document.contains("/api/runs/{run}/series"), document);
        assertTrue(document.contains("/api/runs/{run}/events"), document);
    }

    @Test
    void readyOnceTheStreamRuns() {
        await().atMost(STREAMS_WAIT).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", is("UP")));
    }
}
