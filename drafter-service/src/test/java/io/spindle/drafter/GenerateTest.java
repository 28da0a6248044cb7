package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import io.spindle.model.CheckpointStore;
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /generate} and the target it runs on, against a real broker and real DJL models: target
 * checkpoints are written with model's CheckpointStore and announced on {@code train.checkpoints} as the
 * trainer does; the drafter is the service's own spot drafter; prompts go through the samples' tokenizer.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GenerateTest {

    /** The tiny target: the samples tokenizer's vocabulary, the %test drafter's context length. */
    private static final GptConfig TARGET = new GptConfig(8192, 32, 16, 2, 1);
    private static final Path CHECKPOINTS = Path.of("target", "generate-test-" + System.nanoTime());

    @InjectKafkaBroker
    protected String bootstrap;

    /** The run this service follows; each profile names its own, so a shared broker's history cannot leak in. */
    @ConfigProperty(name = "spindle.drafter.run")
    String run;

    @Test
    @Order(1)
    void beforeAnyTargetIsLoadedItIs503WithAMessage() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"Hello there\",\"maxTokens\":4}")
                .post("/generate").then().statusCode(503).body("error", containsString("target"));
        assertNull(target().get("step"));
    }

    @Test
    @Order(2)
    void followsTheNewestValidTargetOfItsRunAndKeepsTheOldOneOnABadAnnouncement() throws IOException {
        CheckpointStore store = new CheckpointStore(CHECKPOINTS.resolve(run), 10);
        CheckpointAnnouncement first = announce(store, 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(2).equals(number(target(), "step")));
        assertEquals(first.uri(), target().getString("uri"));

        // Another run's checkpoint, however new, is not ours.
        CheckpointAnnouncement other = write(new CheckpointStore(CHECKPOINTS.resolve("other"), 10), 9);
        send(new CheckpointAnnouncement(Schema.V1, "other", other.step(), other.time(), other.uri(), other.sha256(),
                other.bytes(), other.modelConfig(), other.tokenizerId()));

        // A corrupt checkpoint: its weights no longer match SHA256SUMS.
        CheckpointAnnouncement corrupt = write(store, 5);
        Files.writeString(Path.of(java.net.URI.create(corrupt.uri())).resolve(GptTrainer.WEIGHTS_FILE), "torn",
                StandardOpenOption.APPEND);
        send(corrupt);
        awaitRejected(5, "sha256");

        // A sound folder whose weights are not the ones announced.
        CheckpointAnnouncement swapped = write(store, 6);
        send(new CheckpointAnnouncement(Schema.V1, run, 7, swapped.time(), swapped.uri(), "0".repeat(64),
                swapped.bytes(), swapped.modelConfig(), swapped.tokenizerId()));
        awaitRejected(7, "announcement");

        // A folder that is not there.
        send(new CheckpointAnnouncement(Schema.V1, run, 8, 0, CHECKPOINTS.resolve("gone").toUri().toString(),
                "0".repeat(64), 0, Map.of(), "t"));
        awaitRejected(8, "SHA256SUMS");
        assertEquals(2L, target().getLong("step"), "the old target stays through every bad announcement");

        CheckpointAnnouncement newer = announce(store, 10);
        await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(10).equals(number(target(), "step")));
        assertEquals(newer.uri(), target().getString("uri"));
    }

    @Test
    @Order(3)
    protected void greedySpeculativeTextEqualsGreedyTargetOnlyText() {
        awaitDrafter();
        List<String> prompts = List.of("Hello there", "The cat sat on the", "In 1905, Einstein", "Once upon a time",
                "Kafka topics are", "A", "1 2 3 4", "What is the capital of France?");
        for (String prompt : prompts) {
            JsonPath targetOnly = generate(prompt, 12, false);
            JsonPath speculative = generate(prompt, 12, true);
            assertEquals(targetOnly.getString("text"), speculative.getString("text"), prompt);
            assertArrayEquals(ids(targetOnly), ids(speculative), prompt);
            assertEquals(12, ids(speculative).length);
            assertTrue(speculative.getBoolean("speculative"));
            assertFalse(speculative.getList("draftLengths").isEmpty());
            double rate = speculative.getDouble("acceptanceRate");
            assertTrue(rate >= 0 && rate <= 1, "acceptanceRate " + rate);
            assertTrue(speculative.getDouble("acceptLength") >= 1);
            assertTrue(speculative.getDouble("tokensPerSecond") > 0);
            assertEquals(10, speculative.getLong("targetStep"));
            assertEquals(1.0, targetOnly.getDouble("acceptLength"));
            assertNull(targetOnly.get("acceptanceRate"));
        }
    }

    @Test
    @Order(4)
    void sampledTargetOnlyGenerationIsReproducibleWithASeed() {
        awaitDrafter();
        String body = "{\"prompt\":\"Once upon a time\",\"maxTokens\":10,\"temperature\":0.8,\"seed\":42,\"speculative\":%s}";
        JsonPath a = post(body.formatted(false)).then().statusCode(200).extract().jsonPath();
        JsonPath b = post(body.formatted(false)).then().statusCode(200).extract().jsonPath();
        assertArrayEquals(ids(a), ids(b));
        assertEquals(10, ids(a).length);
        // Speculative sampling draws as many random numbers as the bandit's draft lengths ask for, so a seed
        // does not pin its output; its distribution is the target's (tested in model).
        JsonPath speculative = post(body.formatted(true)).then().statusCode(200).extract().jsonPath();
        assertEquals(10, ids(speculative).length);
    }

    @Test
    @Order(5)
    void everyBadRequestIsA4xxWithAMessage() {
        badRequest("{\"prompt\":\"\"}", "prompt");
        badRequest("{\"prompt\":\"   \\n\"}", "prompt");
        badRequest("{\"maxTokens\":4}", "prompt");
        badRequest("{\"prompt\":\"Hello\",\"maxTokens\":0}", "maxTokens");
        badRequest("{\"prompt\":\"Hello\",\"maxTokens\":-3}", "maxTokens");
        badRequest("{\"prompt\":\"Hello\",\"maxTokens\":32}", "context length 32");
        badRequest("{\"prompt\":\"Hello\",\"maxTokens\":2.5}", "malformed");
        badRequest("{\"prompt\":\"Hello\",\"temperature\":-0.5}", "temperature");
        badRequest("{\"prompt\":\"Hello\",\"temperature\":\"NaN\"}", "temperature");
        badRequest("{\"prompt\":\"Hello\",\"max_tokens\":4}", "max_tokens");
        badRequest("{\"prompt\":\"Hello\"", "malformed");
        badRequest("not json", "malformed");
        badRequest("null", "JSON object");
        badRequest("[]", "malformed");
        badRequest("", "JSON object");
        post("{\"prompt\":\"" + "a".repeat(70_000) + "\"}").then().statusCode(413);
    }

    private static void badRequest(String body, String message) {
        post(body).then().statusCode(400).body("error", containsString(message));
    }

    private static io.restassured.response.Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/generate");
    }

    private static JsonPath generate(String prompt, int maxTokens, boolean speculative) {
        String body = Json.MAPPER.createObjectNode().put("prompt", prompt).put("maxTokens", maxTokens)
                .put("temperature", 0.0).put("speculative", speculative).toString();
        return post(body).then().statusCode(200).extract().jsonPath();
    }

    private static int[] ids(JsonPath response) {
        return response.getList("tokens", Integer.class).stream().mapToInt(Integer::intValue).toArray();
    }

    private static void awaitDrafter() {
        await().atMost(Duration.ofSeconds(60)).until(() -> post("{\"prompt\":\"Hi\",\"maxTokens\":1}").statusCode() == 200);
    }

    private static JsonPath target() {
        return given().get("/api/target").then().statusCode(200).extract().jsonPath();
    }

    /** JSON numbers come back as Integer or Long depending on size; null when absent. */
    private static Long number(JsonPath json, String path) {
        Object value = json.get(path);
        return value == null ? null : ((Number) value).longValue();
    }

    private static void awaitRejected(long step, String error) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(step).equals(number(target(), "lastRejectedStep")));
        assertTrue(target().getString("lastError").contains(error), target().getString("lastError"));
    }

    private CheckpointAnnouncement announce(CheckpointStore store, int steps) {
        CheckpointAnnouncement announcement = write(store, steps);
        send(announcement);
        return announcement;
    }

    /**
     * A real target (fresh weights drawn from a seed of its own), written and described as the trainer service
     * does it, under step number {@code step}. Nothing is trained here: the spot trainer in this JVM may hold
     * PyTorch's one gradient collector.
     */
    private CheckpointAnnouncement write(CheckpointStore store, int step) {
        OptimizerConfig d = OptimizerConfig.defaults(100);
        OptimizerConfig seeded = new OptimizerConfig(d.learningRate(), d.minLearningRate(), d.warmupSteps(), d.totalSteps(),
                d.weightDecay(), d.beta1(), d.beta2(), d.epsilon(), d.gradClip(), step);
        try (GptTrainer trainer = new GptTrainer(TARGET, seeded)) {
            CheckpointStore.Checkpoint written = store.write(step, Map.of(), trainer::save);
            return new CheckpointAnnouncement(Schema.V1, run, written.step(), System.currentTimeMillis(),
                    written.dir().toUri().toString(), written.sha256().get(GptTrainer.WEIGHTS_FILE), written.bytes(),
                    trainer.config().toMap(), "samples");
        }
    }

    private void send(CheckpointAnnouncement announcement) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAIN_CHECKPOINTS, announcement.run(), Json.write(announcement)));
        }
    }
}
