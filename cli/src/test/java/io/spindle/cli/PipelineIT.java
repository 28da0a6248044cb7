package io.spindle.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as a user runs it: the packaged services as processes against a real broker, fed over
 * Kafka, checked only through what they publish.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    static final int ROWS = 4;
    static final int ROW_LENGTH = 33;
    static final String RUN = "e2e";
    static final Path HOME = Path.of(System.getProperty("spindle.home", "..")).toAbsolutePath().normalize();

    static LocalCluster cluster;
    static final Map<Integer, List<Integer>> expectedTokensByPartition = new TreeMap<>();
    static final Map<String, Rejection.Reason> malformed = new HashMap<>();

    @BeforeAll
    static void startPipeline() throws IOException {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.SERVICES) {
            ports.put(service, freePort());
        }
        Path work = Files.createTempDirectory("spindle-e2e");
        cluster = new LocalCluster(new Layout(HOME, work, freePort(), ports), new PrintStream(System.out, true));
        cluster.startKafka(Map.of(), Duration.ofSeconds(90));
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
                "spindle.tokenizer.path", HOME.resolve("samples/tokenizer.json").toString(),
                "spindle.tokenizer.rows-per-batch", String.valueOf(ROWS),
                "spindle.tokenizer.row-length", String.valueOf(ROW_LENGTH)), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopPipeline() {
        if (cluster != null) {
            cluster.stopAll();
        }
    }

    @Test
    @Order(1)
    void everyTokenOfEveryAcceptedDocumentIsInExactlyOneBatch() throws Exception {
        List<String> documents = sampleDocuments(300);
        Map<String, byte[]> bad = badRecords();
        try (KafkaProducer<String, byte[]> producer = producer();
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(HOME.resolve("samples/tokenizer.json"),
                     Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            int eos = (int) tokenizer.encode("<|endoftext|>").getIds()[0];
            for (int i = 0; i < documents.size(); i++) {
                if (i % 15 == 0) {
                    String key = "bad-" + i;
                    Map.Entry<String, byte[]> sample = new ArrayList<>(bad.entrySet()).get((i / 15) % bad.size());
                    producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, key, sample.getValue())).get();
                    malformed.put(key, Rejection.Reason.valueOf(sample.getKey()));
                }
                String line = documents.get(i);
                RecordMetadata sent = producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, "doc-" + i,
                        line.getBytes(StandardCharsets.UTF_8))).get();
                List<Integer> expected = expectedTokensByPartition.computeIfAbsent(sent.partition(), p -> new ArrayList<>());
                for (long id : tokenizer.encode(Json.MAPPER.readTree(line).get("text").asText()).getIds()) {
                    expected.add((int) id);
                }
                expected.add(eos);
            }
        }

        int batchTokens = ROWS * ROW_LENGTH;
        Map<Integer, List<Integer>> packed = new TreeMap<>();
        Map<Integer, Long> nextSeq = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer("e2e-batches")) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TokenBatch batch = BatchCodec.decode(record.value());
                    int partition = batch.lineage().partition();
                    assertEquals(nextSeq.getOrDefault(partition, 0L), batch.seq(), "batches of a partition arrive in order, once");
                    nextSeq.put(partition, batch.seq() + 1);
                    List<Integer> tokens = packed.computeIfAbsent(partition, p -> new ArrayList<>());
                    for (int token : batch.tokens()) {
                        tokens.add(token);
                    }
                }
                return expectedTokensByPartition.entrySet().stream().allMatch(e ->
                        packed.getOrDefault(e.getKey(), List.of()).size() == e.getValue().size() / batchTokens * batchTokens);
            });
        }
        for (Map.Entry<Integer, List<Integer>> expected : expectedTokensByPartition.entrySet()) {
            List<Integer> actual = packed.get(expected.getKey());
            assertEquals(expected.getValue().subList(0, actual.size()), actual,
                    "partition " + expected.getKey() + ": batches hold the documents' tokens in order, none lost or repeated");
            assertTrue(expected.getValue().size() - actual.size() < batchTokens, "only a partial batch may wait");
        }
        System.out.printf("conservation: %d partitions, %d tokens in batches%n", packed.size(),
                packed.values().stream().mapToInt(List::size).sum());
    }

    @Test
    @Order(2)
    void everyMalformedRecordIsRejectedWithItsReason() {
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer("e2e-rejected")) {
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

    private static List<String> sampleDocuments(int count) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(HOME.resolve("samples/corpus.jsonl.gz"))), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null && lines.size() < count; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
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

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
