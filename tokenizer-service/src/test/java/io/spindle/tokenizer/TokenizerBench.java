package io.spindle.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToIntFunction;
import java.util.zip.GZIPInputStream;

/**
 * {@code bench/run tokenizer}: on the samples corpus, in one run, the raw encoders (DJL, JTokkit cl100k_base,
 * Spindle's fast path on the samples vocabulary) and then the whole service topology with the service's
 * Kafka Streams settings (read from its application.properties: exactly_once_v2, lz4, threads, batching) from {@code corpus.documents} to committed
 * {@code train.batches} through a real embedded broker. Prints one JSON object as its last line.
 *
 * <p>Args: {@code [repeats]} (default 3): the JTokkit and fast-path figures are the best of this many passes (DJL's
 * is one pass over the corpus, as are its ids compared with the fast path's). System properties:
 * {@code bench.copies} (4: how many times the corpus is streamed, see {@link #copies}), {@code bench.stream.threads}
 * and {@code bench.commit.ms} (override the service's settings), {@code bench.dedup} (true).
 */
public final class TokenizerBench {

    static final int ROWS = 8;
    static final int ROW_LENGTH = 129;

    public static void main(String[] args) throws Exception {
        quietKafkaLogging();
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path home = Path.of(System.getProperty("spindle.home", ".")).toAbsolutePath();
        Path tokenizerJson = home.resolve("samples/tokenizer.json");
        int copies = Integer.getInteger("bench.copies", 4);
        List<String> texts = copies(corpus(home.resolve("samples/corpus.jsonl.gz")), copies);
        long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        System.err.printf("corpus x %d: %d documents, %.1f MB%n", copies, texts.size(), bytes / 1e6);

        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("documents", texts.size());
        result.put("mb", round(bytes / 1e6));
        result.put("corpus_copies", copies);
        try (TextTokenizer djl = TokenizerLoader.load(tokenizerJson.toString(), "<|endoftext|>", TokenizerServiceConfig.FastPath.OFF);
             TextTokenizer fast = TokenizerLoader.load(tokenizerJson.toString(), "<|endoftext|>", TokenizerServiceConfig.FastPath.REQUIRED);
             TextTokenizer jtokkit = TokenizerLoader.load("tiktoken:cl100k_base", "<|endoftext|>", TokenizerServiceConfig.FastPath.AUTO)) {
            // DJL is ~20x slower than the others: one pass over the first copy (the corpus itself).
            List<String> firstCopy = texts.subList(0, texts.size() / copies);
            long firstCopyBytes = firstCopy.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
            // Its ids are kept from that pass, to compare with the fast path's.
            Map<String, int[]> djlIds = new HashMap<>();
            result.put("raw_djl_mb_s", round(best(1, firstCopy, firstCopyBytes, t -> {
                int[] ids = djl.encode(t);
                djlIds.put(t, ids);
                return ids.length;
            }, "djl")));
            result.put("raw_jtokkit_mb_s", round(best(repeats, texts, bytes, t -> jtokkit.encode(t).length, "jtokkit")));
            result.put("raw_fast_mb_s", round(best(repeats, texts, bytes, t -> fast.encode(t).length, "fast")));
            boolean identical = true;
            long tokens = 0;
            for (String text : firstCopy) {
                identical &= Arrays.equals(djlIds.get(text), fast.encode(text));
            }
            result.put("ids_compared_documents", firstCopy.size());
            for (String text : texts) {
                tokens += fast.encode(text).length + 1;
            }
            result.put("ids_identical", identical);
            result.put("jtokkit_vocabulary", "cl100k_base (the others: samples/tokenizer.json, 8192 tokens)");
            service(home, texts, bytes, tokens, fast, result);
        }
        result.put("cores", Runtime.getRuntime().availableProcessors());
        System.out.println(Json.MAPPER.writeValueAsString(result));
        System.exit(0);
    }

    private static double best(int repeats, List<String> texts, long bytes, ToIntFunction<String> encode, String name) {
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            long tokens = 0;
            for (String text : texts) {
                tokens += encode.applyAsInt(text);
            }
            double mbs = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
            System.err.printf("%-8s pass %d: %.1f MB/s (%d tokens)%n", name, r + 1, mbs, tokens);
            best = Math.max(best, mbs);
        }
        return best;
    }

    /**
     * The topology of the service, run by Kafka Streams with the service's settings against a real broker.
     * The documents are produced first; the clock runs from the moment the stream is RUNNING to the moment
     * a read_committed consumer holds every batch the documents fill.
     */
    private static void service(Path home, List<String> texts, long bytes, long tokens, TextTokenizer tokenizer, ObjectNode result)
            throws Exception {
        Path state = Files.createTempDirectory("tokenizer-bench");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().quietLogging(true).start()) {
            broker.createRegistryTopics();
            Map<Integer, Long> tokensByPartition = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 18),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
                for (String text : texts) {
                    sent.add(producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, null, text.getBytes(StandardCharsets.UTF_8))));
                }
                for (int i = 0; i < texts.size(); i++) {
                    int partition = sent.get(i).get().partition();
                    tokensByPartition.merge(partition, (long) tokenizer.encode(texts.get(i)).length + 1, Long::sum);
                }
            }
            int batchTokens = ROWS * ROW_LENGTH;
            long expectedBatches = tokensByPartition.values().stream().mapToLong(t -> t / batchTokens).sum();

            TokenizerTopologyTest.TestConfig config = new TokenizerTopologyTest.TestConfig(
                    Path.of("samples/tokenizer.json"), ROWS, ROW_LENGTH, Boolean.parseBoolean(System.getProperty("bench.dedup", "true")),
                    TokenizerServiceConfig.InvalidUtf8.REJECT, false);
            Properties props = serviceStreamsSettings(home);
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tokenizer-bench");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            if (System.getProperty("bench.commit.ms") != null) {
                props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, System.getProperty("bench.commit.ms"));
            }
            if (System.getProperty("bench.stream.threads") != null) {
                props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, System.getProperty("bench.stream.threads"));
            }
            result.put("service_stream_threads", Integer.parseInt(props.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1")));
            TokenizerStats stats = new TokenizerStats(new SimpleMeterRegistry());
            long[] encodeNanos = {0};
            TextTokenizer timed = new TextTokenizer() {
                @Override
                public int[] encode(String text) {
                    long t0 = System.nanoTime();
                    int[] ids = tokenizer.encode(text);
                    encodeNanos[0] += System.nanoTime() - t0;
                    return ids;
                }

                @Override
                public int eosId() {
                    return tokenizer.eosId();
                }

                @Override
                public String id() {
                    return tokenizer.id();
                }

                @Override
                public void close() {
                }
            };
            KafkaStreams streams = new KafkaStreams(new TokenizerTopology().buildTopology(timed, config, stats), props);
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            long[] runningAt = {0};
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING && runningAt[0] == 0) {
                    runningAt[0] = System.nanoTime();
                    running.countDown();
                }
            });
            long batches = 0;
            long packedTokens = 0;
            long slots = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-batches",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
                streams.start();
                running.await();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (batches < expectedBatches && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        var batch = BatchCodec.decode(record.value());
                        batches++;
                        packedTokens += batch.tokenCount();
                        slots += (long) batch.rows() * batch.rowLength();
                    }
                }
                double seconds = (System.nanoTime() - runningAt[0]) / 1e9;
                result.put("service_encode_seconds", round(encodeNanos[0] / 1e9));
                // The bytes and tokens that went into complete batches; the partial rest stays pending.
                double share = packedTokens / (double) tokens;
                result.put("service_mb_s", round(bytes * share / 1e6 / seconds));
                result.put("service_tokens_s", Math.round(packedTokens / seconds));
                result.put("service_seconds", round(seconds));
                result.put("service_batches", batches);
                result.put("service_expected_batches", expectedBatches);
                result.put("packing_efficiency", slots == 0 ? 0 : round(packedTokens / (double) slots));
            } finally {
                streams.close(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * The corpus, then {@code copies - 1} more copies of it, each text prefixed with its copy number: distinct texts
     * (so the service's de-duplication keeps them), a stream long enough that the service's fixed costs (start of
     * the tasks, the last commit) do not decide its throughput, and the same texts for the raw encoders.
     */
    private static List<String> copies(List<String> corpus, int copies) {
        List<String> texts = new ArrayList<>(corpus);
        for (int copy = 1; copy < copies; copy++) {
            for (String text : corpus) {
                texts.add("(" + copy + ") " + text);
            }
        }
        return texts;
    }

    private static List<String> corpus(Path file) throws IOException {
        List<String> texts = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                texts.add(Json.MAPPER.readTree(line).get("text").asText());
            }
        }
        return texts;
    }

    /**
     * The service's own Kafka Streams settings: every {@code kafka-streams.*} key of its application.properties
     * (prefix removed), so the bench cannot drift from what the service runs with. The state directory and the
     * broker are the bench's.
     */
    private static Properties serviceStreamsSettings(Path home) throws IOException {
        Properties application = new Properties();
        try (var in = Files.newBufferedReader(home.resolve("tokenizer-service/src/main/resources/application.properties"))) {
            application.load(in);
        }
        Properties streams = new Properties();
        String prefix = "kafka-streams.";
        for (String key : application.stringPropertyNames()) {
            if (key.startsWith(prefix) && !key.equals(prefix + StreamsConfig.STATE_DIR_CONFIG)) {
                streams.put(key.substring(prefix.length()), application.getProperty(key));
            }
        }
        return streams;
    }

    /**
     * Outside Quarkus, the JBoss log manager on this classpath leaves Kafka's loggers at TRACE: the clients
     * would format a trace line per record (~5% of the stream thread in a profile), which the service never does.
     */
    private static void quietKafkaLogging() {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
