package io.spindle.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: Debian's headless Chromium loads {@code /?run=...} from the running service,
 * and the charts must hold exactly the points sent to Kafka, then follow new steps live over SSE without a
 * reload. Leaves a screenshot in {@code target/dashboard.png}. Skipped where Chromium is missing, except in CI.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(FreePortResource.class)
class DashboardBrowserTest {

    private static final int HISTORY_STEPS = 240;
    private static final int LIVE_STEPS = 20;

    @InjectKafkaBroker
    String bootstrapServers;

    /** A plausible small-GPT run: decaying noisy loss, warmup + cosine lr, eval every 20 steps. */
    static final class FakeRun {
        final String run;
        final long start;
        final Random random = new Random(7);
        final List<StepMetrics> sent = new ArrayList<>();

        FakeRun(String run, long start) {
            this.run = run;
            this.start = start;
        }

        StepMetrics step(int step) {
            double loss = 2.2 + 6.8 * Math.exp(-step / 55.0) + 0.12 * random.nextGaussian();
            double lr = step < 30 ? 6e-4 * step / 30 : 6e-4 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * (step - 30) / 400.0)));
            Double eval = step % 20 == 0 ? loss + 0.08 : null;
            double stepMs = 420 + 25 * random.nextGaussian();
            double waitMs = step % 37 == 0 ? 180 : 3 + 2 * random.nextDouble();
            long tokens = 8 * 128;
            StepMetrics m = new StepMetrics(Schema.V1, run, "trainer-0", step, start + step * 500L, loss, eval, lr,
                    0.4 + 2.5 * Math.exp(-step / 40.0) + 0.05 * random.nextGaussian(), tokens, tokens * step, stepMs, waitMs,
                    tokens * 1000.0 / (stepMs + waitMs), 0.41 + 0.02 * random.nextGaussian(), 1, "0:" + step, 900);
            sent.add(m);
            return m;
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, Object value) {
        producer.send(new ProducerRecord<>(topic, key, Json.write(value)));
    }

    @Test
    void chartsHoldThePointsSentAndFollowTheRunLive() throws Exception {
        Optional<Path> chromium = HeadlessChromium.find();
        if (System.getenv("CI") != null) {
            assertTrue(chromium.isPresent(), "CI needs Chromium: run .ci/deps/chromium.sh");
        } else {
            assumeTrue(chromium.isPresent(), "no chromium on PATH (install it with .ci/deps/chromium.sh)");
        }
        String run = "gpt-tiny-" + UUID.randomUUID().toString().substring(0, 8);
        FakeRun fake = new FakeRun(run, System.currentTimeMillis() - (HISTORY_STEPS + 10) * 500L);

        try (KafkaProducer<String, byte[]> producer = MetricsServiceTest.producer(bootstrapServers)) {
            for (int step = 1; step <= HISTORY_STEPS; step++) {
                StepMetrics m = fake.step(step);
                send(producer, Topics.TRAIN_METRICS, m.key(), m);
                if (step % 37 == 0) {
                    // The trainer waited for data: an idle interval, and the drafter harvested most of it.
                    long idleStart = m.time() - 2_000;
                    send(producer, Topics.CAPACITY_EVENTS, "trainer-0",
                            new CapacityEvent.Idle(Schema.V1, "trainer-0", run, idleStart, IdleReason.DATA_WAIT, 2_000));
                    send(producer, Topics.CAPACITY_EVENTS, "trainer-0",
                            new CapacityEvent.Busy(Schema.V1, "trainer-0", run, m.time() - 10, IdleReason.DATA_WAIT, 1_990));
                    int report = step / 37;
                    send(producer, Topics.DRAFTER_METRICS, "drafter-0", new DrafterMetrics(Schema.V1, "drafter-0", run, m.time(),
                            report * 1_850L, report * 40L, 3.0 - 0.2 * report, 1.6 + 0.35 * report, 1.2 + 0.15 * report, 35));
                }
            }
            producer.flush();
            await().atMost(MetricsServiceTest.STREAMS_WAIT).untilAsserted(() -> given().get("/api/runs/{run}", run)
                    .then().statusCode(200).body("steps", is(HISTORY_STEPS)));

            String url = "http://127.0.0.1:" + RestAssured.port + "/?run=" + run;
            try (HeadlessChromium browser = new HeadlessChromium(chromium.get(), url, 1440, 1760)) {
                JsonNode charts = awaitCharts(browser, HISTORY_STEPS);
                assertChartsHold(charts, fake.sent);
                JsonNode idle = charts.path("idle_harvest");
                assertEquals("idle trainer-0", idle.path("labels").get(0).asText());
                assertEquals(HISTORY_STEPS / 37 * 1.99, last(idle.path("data").get(1)), 1e-9, "cumulative idle seconds");
                assertEquals(HISTORY_STEPS / 37 * 1.85, last(idle.path("data").get(2)), 1e-9, "cumulative harvested seconds");
                assertEquals(1.6 + 0.35 * (HISTORY_STEPS / 37), last(charts.path("accept_length").path("data").get(1)), 1e-9);

                // Live: new steps reach the open page over SSE, no reload.
                for (int step = HISTORY_STEPS + 1; step <= HISTORY_STEPS + LIVE_STEPS; step++) {
                    StepMetrics m = fake.step(step);
                    send(producer, Topics.TRAIN_METRICS, m.key(), m);
                }
                producer.flush();
                JsonNode live = awaitCharts(browser, HISTORY_STEPS + LIVE_STEPS);
                assertChartsHold(live, fake.sent);
                assertEquals("live", browser.evaluate("window.spindle.snapshot().live").asText());
                assertEquals(Boolean.TRUE, browser.evaluate("performance.getEntriesByType('navigation').length === 1").asBoolean(),
                        "one page load: the new points came without a reload");
                browser.screenshot(Path.of("target", "dashboard.png"));
            }
        }
    }

    private static JsonNode awaitCharts(HeadlessChromium browser, int steps) {
        JsonNode[] charts = new JsonNode[1];
        await().atMost(MetricsServiceTest.STREAMS_WAIT).until(() -> {
            JsonNode snapshot = browser.evaluate("window.spindle ? window.spindle.snapshot() : null");
            charts[0] = snapshot.path("charts");
            return snapshot.path("loaded").asBoolean() && charts[0].path("loss").path("data").path(0).size() == steps;
        });
        // One more look after the next redraw, so every chart has caught up with the loss chart.
        await().atMost(MetricsServiceTest.STREAMS_WAIT).until(() -> {
            charts[0] = browser.evaluate("window.spindle.snapshot()").path("charts");
            return charts[0].path("lr").path("data").path(0).size() == steps
                    && charts[0].path("tokens_per_s").path("data").path(0).size() == steps;
        });
        return charts[0];
    }

    /** Per-step charts: x = steps 1..n; each line holds the value sent for that step. */
    private static void assertChartsHold(JsonNode charts, List<StepMetrics> sent) {
        JsonNode loss = charts.path("loss");
        assertEquals(List.of("train (raw)", "train (smoothed)", "eval"), labels(loss));
        for (int i = 0; i < sent.size(); i++) {
            StepMetrics m = sent.get(i);
            assertEquals(m.step(), loss.path("data").get(0).get(i).asLong());
            assertEquals(m.loss(), loss.path("data").get(1).get(i).asDouble(), 1e-9, "loss at step " + m.step());
            JsonNode eval = loss.path("data").get(3).get(i);
            if (m.evalLoss() != null) {
                assertEquals(m.evalLoss(), eval.asDouble(), 1e-9, "eval loss at step " + m.step());
            } else {
                assertTrue(eval.isNull(), "no eval at step " + m.step());
            }
            assertEquals(m.lr(), charts.path("lr").path("data").get(1).get(i).asDouble(), 1e-12);
            assertEquals(m.gradNorm(), charts.path("grad_norm").path("data").get(1).get(i).asDouble(), 1e-9);
            assertEquals(m.tokensPerS(), charts.path("tokens_per_s").path("data").get(1).get(i).asDouble(), 1e-6);
            assertEquals(100 * m.mfu(), charts.path("mfu").path("data").get(1).get(i).asDouble(), 1e-9);
            assertEquals(100 * m.dataWaitMs() / (m.stepMs() + m.dataWaitMs()),
                    charts.path("data_wait_pct").path("data").get(1).get(i).asDouble(), 1e-9);
        }
    }

    private static List<String> labels(JsonNode chart) {
        List<String> labels = new ArrayList<>();
        chart.path("labels").forEach(l -> labels.add(l.asText()));
        return labels;
    }

    private static double last(JsonNode values) {
        for (int i = values.size() - 1; i >= 0; i--) {
            if (!values.get(i).isNull()) {
                return values.get(i).asDouble();
            }
        }
        throw new AssertionError("no value in " + values);
    }
}
