package io.spindle.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.Rejection;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as a user runs it: the packaged services as processes against a real broker, fed over
 * Kafka, checked only through what they publish. Its last test is a fault test: the broker is restarted
 * mid-stream under the running services.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    static final int ROWS = 4;
    static final int ROW_LENGTH = 33;
    static final String RUN = "e2e";
    static final int BATCH_TOKENS = ROWS * ROW_LENGTH;

    static LocalCluster cluster;
    /** DJL's binding of the Rust tokenizers: a reference independent of the service's own encoder. */
    static HuggingFaceTokenizer reference;
    static TokenLedger ledger;
    static final Map<String, Rejection.Reason> malformed = new HashMap<>();

    @BeforeAll
    static void startPipeline() throws IOException {
        reference = HuggingFaceTokenizer.newInstance(ClusterFixture.SAMPLES_TOKENIZER,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        ledger = new TokenLedger(text -> toInts(reference.encode(text).getIds()), (int) reference.encode("<|endoftext|>").getIds()[0]);
        cluster = ClusterFixture.cluster("e2e", Service.SERVICES);
        cluster.startKafka(Map.of(), Duration.ofSeconds(180));
        cluster.startService(Service.METRICS, Map.of(), Duration.ofSeconds(90));
        cluster.startService(Service.DRAFTER, Map.of(), Duration.ofSeconds(90));
        cluster.startService(Service.TRAINER, Map.of(
                "spindle.trainer.run", RUN,
                "spindle.trainer.model.context-length", String.valueOf(ROW_LENGTH - 1),
                "spindle.trainer.model.d-model", "32",
                "spindle.trainer.model.n-heads", "2",
                "spindle.trainer.model.n-layers", "1",
                "spindle.trainer.threads", "1"), Duration.ofSeconds(120));
        cluster.startService(Service.TOKENIZER, Map.of(
                "spindle.tokenizer.path", ClusterFixture.SAMPLES_TOKENIZER.toString(),
                "spindle.tokenizer.rows-per-batch", String.valueOf(ROWS),
                "spindle.tokenizer.row-length", String.valueOf(ROW_LENGTH)), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopPipeline() {
        if (cluster != null) {
            cluster.stopAll();
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    @Order(1)
    void everyTokenOfEveryAcceptedDocumentIsInExactlyOneBatch() throws Exception {
        List<String> documents = ClusterFixture.sampleLines(0, 300);
        Map<String, byte[]> bad = badRecords();
        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster)) {
            for (int i = 0; i < documents.size(); i++) {
                if (i % 15 == 0) {
                    String key = "bad-" + i;
                    Map.Entry<String, byte[]> sample = new ArrayList<>(bad.entrySet()).get((i / 15) % bad.size());
                    producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, key, sample.getValue())).get();
                    malformed.put(key, Rejection.Reason.valueOf(sample.getKey()));
                }
                TokenizerCrashIT.sendDocument(producer, ledger, "doc-" + i, documents.get(i));
            }
        }
        TokenLedger.Check check = verifyConservation("e2e-batches", Duration.ofSeconds(120));
        System.out.printf("conservation: %d partitions, %d tokens in %d batches%n", check.partitions(), check.tokens(), check.batches());
    }

    @Test
    @Order(2)
    void everyMalformedRecordIsRejectedWithItsReason() {
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = ClusterFixture.consumer(cluster, "e2e-rejected")) {
            consumer.subscribe(List.of(Topics.CORPUS_REJECTED));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    reasons.put(record.key(), new String(record.headers().lastHeader(Rejection.HEADER_REASON).value(),
                            StandardCharsets.UTF_8));
                }
                return reasons.size() >= malformed.size();
            });
        }
        malformed.forEach((key, reason) -> assertEquals(reason.name(), reasons.get(key), key));
        assertEquals(malformed.size(), reasons.size());
    }

    @Test
    @Order(3)
    void theTrainerTrainsWithFallingLossAndMetricsServiceReportsIt() {
        String url = cluster.layout().url(Service.METRICS) + "/api/runs/" + RUN;
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Http.json(url).map(run -> run.path("latestStep").asLong() >= 60).orElse(false));
        JsonNode run = Http.json(url).orElseThrow();
        double first = run.path("firstLoss").asDouble();
        double latest = run.path("latestLoss").asDouble();
        System.out.printf("trainer: %d steps, loss %.3f -> %.3f, %.0f tokens/s%n",
                run.path("latestStep").asLong(), first, latest, run.path("tokensPerS").asDouble());
        assertTrue(latest < first - 1.0, "loss fell from " + first + " to " + latest);
        assertTrue(run.path("tokensPerS").asDouble() > 0);
    }

    @Test
    @Order(4)
    void afterABrokerRestartMidStreamEveryServiceRecoversAndNothingIsLostOrRepeated() throws Exception {
        List<String> more = ClusterFixture.sampleLines(300, 200);
        int before = ledger.documents();
        CountDownLatch halfFed = new CountDownLatch(1);
        CountDownLatch brokerStopped = new CountDownLatch(1);
        // Sends half, then the rest once the broker is gone: each send waits for its acknowledgement, which the
        // producer retries (idempotently, so never twice) until the broker is back.
        CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
            try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster,
                    Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000))) {
                for (int i = 0; i < more.size(); i++) {
                    TokenizerCrashIT.sendDocument(producer, ledger, "doc-" + (300 + i), more.get(i));
                    if (i == more.size() / 2) {
                        halfFed.countDown();
                        if (!brokerStopped.await(300, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the broker was not stopped");
                        }
                    }
                    if (i % 5 == 4) {
                        Thread.sleep(50);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("feeding failed after " + (ledger.documents() - before) + " documents", e);
            }
        });
        assertTrue(halfFed.await(60, TimeUnit.SECONDS), "half the documents fed");
        long stepBefore = latestStep(trainerSteps("e2e-restart-steps-1"));
        // A clean stop (SIGTERM) takes a few seconds, much longer on a starved machine: wait for it, so the
        // fault is always the same one (a SIGKILL would be a different test).
        cluster.stop(Service.KAFKA, Duration.ofSeconds(120));
        int fedBeforeStop = ledger.documents() - before;
        brokerStopped.countDown();
        LocalCluster.sleep(Duration.ofSeconds(3));
        cluster.startKafka(Map.of(), Duration.ofSeconds(180));
        long restartedAt = System.currentTimeMillis();
        feeder.get(600, TimeUnit.SECONDS);
        System.out.printf("broker fault: stopped the broker at trainer step %d with %d of %d documents fed, 3 s down, restarted "
                + "on the same port and data dir, the rest fed while it was down%n", stepBefore, fedBeforeStop, more.size());

        // Every service came back by itself: ready, and doing its work after the restart.
        for (Service service : Service.SERVICES) {
            await(service.id + " ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.status(cluster.layout().url(service) + "/q/health/ready") == 200);
        }
        TokenLedger.Check check = verifyConservation("e2e-restart-batches", Duration.ofSeconds(180));

        List<StepMetrics> steps = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> metrics = ClusterFixture.consumer(cluster, "e2e-restart-steps-2")) {
            metrics.subscribe(List.of(Topics.TRAIN_METRICS));
            await("the trainer trains after the restart").atMost(Duration.ofSeconds(120)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : metrics.poll(Duration.ofMillis(500))) {
                    StepMetrics m = Json.read(record.value(), StepMetrics.class);
                    if (m.run().equals(RUN)) {
                        steps.add(m);
                    }
                }
                return steps.stream().anyMatch(m -> m.time() > restartedAt && m.step() > stepBefore + 5);
            });
        }
        Map<Long, String> batchByStep = new TreeMap<>();
        Map<Integer, List<Long>> seqsByPartition = new TreeMap<>();
        for (StepMetrics m : steps) {
            assertEquals(null, batchByStep.put(m.step(), m.batchId()), "step " + m.step() + " reported once");
            String[] id = m.batchId().split(":");
            seqsByPartition.computeIfAbsent(Integer.parseInt(id[0]), p -> new ArrayList<>()).add(Long.parseLong(id[1]));
        }
        long lastStep = latestStep(steps);
        assertEquals(lastStep, batchByStep.size(), "steps 1.." + lastStep + ", none missing");
        seqsByPartition.forEach((partition, seqs) -> {
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(i, seqs.get(i), "partition " + partition + ": the trainer takes each batch once, in order, none skipped");
            }
        });
        assertTrue(batchByStep.values().stream().allMatch(check.batchIds()::contains), "the trainer trained only batches that exist");

        String url = cluster.layout().url(Service.METRICS) + "/api/runs/" + RUN;
        await("metrics-service counts the steps after the restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Http.json(url).map(run -> run.path("latestStep").asLong() >= lastStep).orElse(false));
        JsonNode run = Http.json(url).orElseThrow();
        assertEquals(run.path("latestStep").asLong(), run.path("steps").asLong(), "metrics-service counted each step once");

        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster)) {
            ClusterFixture.sendCapacity(producer, "restart-probe", RUN, true);
            await("the drafter reads capacity events after the restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.status(cluster.layout().url(Service.DRAFTER) + "/api/idle-windows/restart-probe") == 200);
            ClusterFixture.sendCapacity(producer, "restart-probe", RUN, false);
        }
        System.out.printf("broker fault: checked %d documents' tokens (%d) in %d batches, each once, in order (0 lost, 0 duplicated); "
                        + "the trainer went on from step %d to %d, each batch once; metrics-service counted %d steps once each; "
                        + "the drafter saw a capacity event sent after the restart%n",
                ledger.documents(), check.tokens(), check.batches(), stepBefore, lastStep, run.path("steps").asLong());
    }

    private static List<StepMetrics> trainerSteps(String group) {
        List<StepMetrics> steps = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> metrics = ClusterFixture.consumer(cluster, group)) {
            metrics.subscribe(List.of(Topics.TRAIN_METRICS));
            // Reads until a poll comes back empty: what the trainer reported so far.
            for (int empty = 0; empty < 2; ) {
                var records = metrics.poll(Duration.ofMillis(500));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<String, byte[]> record : records) {
                    StepMetrics m = Json.read(record.value(), StepMetrics.class);
                    if (m.run().equals(RUN)) {
                        steps.add(m);
                    }
                }
            }
        }
        return steps;
    }

    private static long latestStep(List<StepMetrics> steps) {
        return steps.stream().mapToLong(StepMetrics::step).max().orElse(0);
    }

    private static Map<String, byte[]> badRecords() {
        Map<String, byte[]> bad = new TreeMap<>();
        bad.put(Rejection.Reason.MISSING_TEXT.name(), "{\"id\": 1}".getBytes(StandardCharsets.UTF_8));
        bad.put(Rejection.Reason.TEXT_NOT_STRING.name(), "{\"text\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8));
        bad.put(Rejection.Reason.MALFORMED_JSON.name(), "{\"text\": \"cut".getBytes(StandardCharsets.UTF_8));
        bad.put(Rejection.Reason.INVALID_UTF8.name(), new byte[] {'o', 'k', (byte) 0xFF, (byte) 0xFE});
        bad.put(Rejection.Reason.BLANK_TEXT.name(), " \n ".getBytes(StandardCharsets.UTF_8));
        bad.put(Rejection.Reason.EMPTY.name(), new byte[0]);
        return bad;
    }

    /** The whole of train.batches, from the start, against every document fed so far; rejections only the malformed ones. */
    private static TokenLedger.Check verifyConservation(String group, Duration timeout) {
        int[] rejected = {0};
        TokenLedger.Check check;
        try (KafkaConsumer<String, byte[]> consumer = ClusterFixture.consumer(cluster, group)) {
            check = ledger.verify(consumer, BATCH_TOKENS, timeout, record -> rejected[0]++, () -> rejected[0] >= malformed.size());
        }
        assertEquals(malformed.size(), rejected[0], "only the malformed records were rejected");
        return check;
    }

    private static int[] toInts(long[] ids) {
        int[] ints = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ints[i] = (int) ids[i];
        }
        return ints;
    }
}
