package io.spindle.metrics;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Two instances share the runs: the Quarkus app (A) answers for runs the {@link SecondInstance} (B) holds by
 * asking B; B restarts with an empty state dir and gets its runs back from the changelog topics.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(FreePortResource.class)
class TwoInstancesTest {

    @InjectKafkaBroker
    String bootstrapServers;

    @Inject
    StoreQueries app;

    private static Path freshStateDir() {
        return Path.of("target", "second-instance-state", UUID.randomUUID().toString());
    }

    private List<String> runsHeldBy(SecondInstance b, List<String> runs) {
        List<String> held = new ArrayList<>();
        for (String run : runs) {
            if (app.ownerOf(run).equals(Optional.of(b.host))) {
                held.add(run);
            }
        }
        return held;
    }

    private void produceSteps(KafkaProducer<String, byte[]> producer, String run, long fromStep, long toStep, long time) {
        for (long step = fromStep; step <= toStep; step++) {
            var metrics = TopologyTest.stepAt(run, "w0", step, time + step, 5.0 - step * 0.1, 100);
            producer.send(new ProducerRecord<>(Topics.TRAIN_METRICS, metrics.key(), Json.write(metrics)));
        }
        producer.flush();
    }

    @Test
    void runsHeldByTheOtherInstanceAreFetchedFromItAndSurviveItsRestart() throws Exception {
        int portB = FreePortResource.freePort();
        String prefix = "two-" + UUID.randomUUID() + "-";
        List<String> runs = IntStream.range(0, 8).mapToObj(i -> prefix + i).toList();
        long time = System.currentTimeMillis();
        List<String> onB;

        try (KafkaProducer<String, byte[]> producer = MetricsServiceTest.producer(bootstrapServers)) {
            try (SecondInstance b = new SecondInstance(bootstrapServers, freshStateDir(), portB)) {
                await().atMost(MetricsServiceTest.STREAMS_WAIT).until(b::holdsRuns);
                runs.forEach(run -> produceSteps(producer, run, 1, 2, time));

                await().atMost(MetricsServiceTest.STREAMS_WAIT).untilAsserted(() -> {
                    for (String run : runs) {
                        given().get("/api/runs/{run}", run).then().statusCode(200).body("steps", is(2));
                    }
                });
                onB = runsHeldBy(b, runs);
                assertFalse(onB.isEmpty(), "4 partitions over 2 instances: B holds some of 8 runs");
                for (String run : onB) {
                    assertEquals(2, b.queries.localRun(run).steps(), "B holds " + run);
                    assertThrows(UnknownKeyException.class, () -> app.localRun(run), "A does not hold " + run);
                }
                given().get("/api/runs").then().statusCode(200).body("run", hasItems(runs.toArray()));
                given().get("/api/runs/{run}/series?metric=loss", onB.get(0)).then().statusCode(200)
                        .body("points", hasSize(2));
                given().get("/api/runs/{run}/series?metric=nonsense", onB.get(0)).then().statusCode(404);
                // The live stream is served where the run is: A points the client there.
                given().redirects().follow(false).get("/api/runs/{run}/events", onB.get(0)).then().statusCode(307)
                        .header("Location", containsString("127.0.0.1:" + portB + "/api/runs/" + onB.get(0) + "/events"));
            }

            // B restarts with an empty state dir: whatever it holds now comes back from the changelog.
            try (SecondInstance b = new SecondInstance(bootstrapServers, freshStateDir(), portB)) {
                await().atMost(MetricsServiceTest.STREAMS_WAIT).until(b::holdsRuns);
                List<String> restored = new ArrayList<>();
                await().atMost(MetricsServiceTest.STREAMS_WAIT).untilAsserted(() -> {
                    restored.clear();
                    restored.addAll(runsHeldBy(b, runs));
                    assertFalse(restored.isEmpty());
                    for (String run : restored) {
                        assertEquals(2, b.queries.localRun(run).steps(), "restored " + run);
                        assertEquals(2, b.queries.localWindows(TopologyProducer.windowStore(Duration.ofSeconds(10)), run, 0, Long.MAX_VALUE)
                                .stream().mapToLong(window -> window.value.total().steps()).sum(), "restored windows of " + run);
                    }
                });
                // Counting goes on from the restored state: one more step makes 3, not 1.
                produceSteps(producer, restored.get(0), 3, 3, time);
                await().atMost(MetricsServiceTest.STREAMS_WAIT).untilAsserted(() ->
                        given().get("/api/runs/{run}", restored.get(0)).then().statusCode(200).body("steps", is(3)));
            }
        }
    }
}
