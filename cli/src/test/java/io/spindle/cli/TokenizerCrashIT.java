package io.spindle.cli;

import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.SpecialTokens;
import io.spindle.tokenizers.TokenizerJsonReader;
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
import org.junit.jupiter.api.Test;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once under crashes: the packaged tokenizer-service is killed with SIGKILL three times while
 * documents stream in, and restarted each time. Afterwards every token of every accepted document is in
 * exactly one committed batch, in order within its input partition; no batch is missing or repeated,
 * and each exact duplicate was dropped exactly once (the hashes of seen texts are transactional too).
 */
class TokenizerCrashIT {

    static final int ROWS = 4;
    static final int ROW_LENGTH = 65;
    static final int KILLS = 3;
    static final Path HOME = Path.of(System.getProperty("spindle.home", "..")).toAbsolutePath().normalize();

    /**
     * A killed member is only noticed when its session times out, so a short one keeps each restart quick;
     * a short transaction timeout aborts a killed producer's open transaction soon too.
     */
    static final Map<String, String> TOKENIZER_SETTINGS = Map.of(
            "spindle.tokenizer.path", HOME.resolve("samples/tokenizer.json").toString(),
            "spindle.tokenizer.rows-per-batch", String.valueOf(ROWS),
            "spindle.tokenizer.row-length", String.valueOf(ROW_LENGTH),
            "kafka-streams.consumer.session.timeout.ms", "6000",
            "kafka-streams.consumer.heartbeat.interval.ms", "1000",
            "kafka-streams.producer.transaction.timeout.ms", "5000");

    static LocalCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        ports.put(Service.TOKENIZER, freePort());
        Path work = Files.createTempDirectory("spindle-crash");
        cluster = new LocalCluster(new Layout(HOME, work, freePort(), ports), new PrintStream(System.out, true));
        cluster.startKafka(Map.of(), Duration.ofSeconds(90));
        cluster.startService(Service.TOKENIZER, TOKENIZER_SETTINGS, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stopAll();
        }
    }

    @Test
    void killedThreeTimesMidStreamItLosesAndRepeatsNothing() throws Exception {
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(HOME.resolve("samples/tokenizer.json")));
        List<String> corpus = sampleLines(600);
        Map<Integer, List<Integer>> expected = new TreeMap<>();
        Map<Integer, Set<String>> seenTexts = new HashMap<>();
        int[] duplicates = {0};
        AtomicBoolean crashesDone = new AtomicBoolean();

        // Feeds at a steady pace until the crashes are over, then a last stretch; the corpus repeats, so
        // exact duplicates (same text, same partition) come along as well.
        CompletableFuture<Integer> feeder = CompletableFuture.supplyAsync(() -> {
            int sent = 0;
            int tail = 200;
            try (KafkaProducer<String, byte[]> producer = producer()) {
                while (!crashesDone.get() || tail-- > 0) {
                    String line = corpus.get(sent % corpus.size());
                    RecordMetadata meta = producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS,
                            "doc-" + (sent % 1000), line.getBytes(StandardCharsets.UTF_8))).get();
                    String text = Json.MAPPER.readTree(line).get("text").asText();
                    if (seenTexts.computeIfAbsent(meta.partition(), p -> new HashSet<>()).add(text)) {
                        List<Integer> tokens = expected.computeIfAbsent(meta.partition(), p -> new ArrayList<>());
                        for (int id : encoder.encode(text)) {
                            tokens.add(id);
                        }
                        tokens.add(SpecialTokens.EOS_ID);
                    } else {
                        duplicates[0]++;
                    }
                    sent++;
                    if (sent % 25 == 0) {
                        Thread.sleep(100);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("feeding failed after " + sent + " records", e);
            }
            return sent;
        });

        for (int kill = 0; kill < KILLS; kill++) {
            LocalCluster.sleep(Duration.ofMillis(2500));
            cluster.kill(Service.TOKENIZER);
            cluster.startService(Service.TOKENIZER, TOKENIZER_SETTINGS, Duration.ofSeconds(90));
        }
        crashesDone.set(true);
        int sent = feeder.get();

        int batchTokens = ROWS * ROW_LENGTH;
        Map<Integer, List<Integer>> packed = new TreeMap<>();
        Map<Integer, Long> nextSeq = new HashMap<>();
        int[] duplicateRejects = {0};
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES, Topics.CORPUS_REJECTED));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.topic().equals(Topics.CORPUS_REJECTED)) {
                        String reason = new String(record.headers().lastHeader(Rejection.HEADER_REASON).value(), StandardCharsets.UTF_8);
                        assertEquals(Rejection.Reason.DUPLICATE.name(), reason, "only duplicates are rejected here");
                        duplicateRejects[0]++;
                        continue;
                    }
                    TokenBatch batch = BatchCodec.decode(record.value());
                    int partition = batch.lineage().partition();
                    assertEquals(nextSeq.getOrDefault(partition, 0L), batch.seq(),
                            "partition " + partition + ": batches arrive in order, each once");
                    nextSeq.put(partition, batch.seq() + 1);
                    List<Integer> tokens = packed.computeIfAbsent(partition, p -> new ArrayList<>());
                    for (int token : batch.tokens()) {
                        tokens.add(token);
                    }
                }
                return expected.entrySet().stream().allMatch(e ->
                        packed.getOrDefault(e.getKey(), List.of()).size() >= e.getValue().size() / batchTokens * batchTokens)
                        && duplicateRejects[0] >= duplicates[0];
            });
            // Anything still in flight would be a duplicate batch or reject: give it a moment to show up.
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(2))) {
                assertTrue(false, "unexpected extra record on " + record.topic() + " after all expected ones");
            }
        }
        long tokens = 0;
        for (Map.Entry<Integer, List<Integer>> e : expected.entrySet()) {
            List<Integer> actual = packed.getOrDefault(e.getKey(), List.of());
            assertEquals(e.getValue().size() / batchTokens * batchTokens, actual.size(), "partition " + e.getKey());
            assertEquals(e.getValue().subList(0, actual.size()), actual,
                    "partition " + e.getKey() + ": every token once, in document order");
            tokens += actual.size();
        }
        assertEquals(duplicates[0], duplicateRejects[0], "each duplicate rejected exactly once");
        assertTrue(duplicates[0] > 0, "the feed repeated texts, so the duplicate path was exercised");
        System.out.printf("crash test: %d records fed, %d kills, %d tokens in %d partitions conserved, %d duplicates dropped%n",
                sent, KILLS, tokens, packed.size(), duplicates[0]);
    }

    private static List<String> sampleLines(int count) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(HOME.resolve("samples/corpus.jsonl.gz"))), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null && lines.size() < count; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "crash-check",
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
