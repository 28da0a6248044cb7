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
import org.apache.kafka.clients.producer.RecordMetadata;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * {@code bench/run tokenizer}: on the samples corpus, in one run, the raw encoders (DJL, JTokkit cl100k_base,
 * Spindle's fast path on the samples vocabulary) and then the whole service topology with the service's
 * Kafka Streams settings (read from its application.properties: exactly_once_v2, lz4, threads, batching) from {@code corpus.documents} to committed
 * {@code train.batches} through a real embedded broker. Prints one JSON object as its last line.
 *
 * <p>Args: {@code [repeats]} (default 3): the JTokkit and fast-path figures are the best of this many passes (DJL's
 * is one pass over the corpus, as are its ids compared with the fast path's). System properties:
 * {@code bench.copies} (4: how many times the corpus is encoded raw, see {@link #copies}), {@code bench.service.warmup.copies}
 * and {@code bench.service.copies} (see {@link #service}), {@code bench.stream.threads} and {@code bench.commit.ms} (override the
 * service's settings), {@code bench.dedup} (true).
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
        List<String> corpus = corpus(home.resolve("samples/corpus.jsonl.gz"));
        List<String> texts = copies(corpus, copies);
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
            for (String text : firstCopy) {
                identical &= Arrays.equals(djlIds.get(text), fast.encode(text));
            }
            result.put("ids_compared_documents", firstCopy.size());
            result.put("ids_identical", identical);
            result.put("jtokkit_vocabulary", "cl100k_base (the others: samples/tokenizer.json, 8192 tokens)");
            service(home, corpus, fast, result);
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
     * The topology of the service, run by Kafka Streams with the service's settings against a real broker, on a
     * stream of {@code bench.service.warmup.copies} (40) copies of the corpus and then {@code bench.service.copies}
     * (48) more, all produced before it starts. The raw encoders are timed warm (best of several passes); the
     * service is too: {@code service_mb_s} is its rate from the moment a read_committed consumer holds every batch
     * the warm-up copies fill to the moment it holds every batch of the stream, {@code service_warmup_mb_s} its rate
     * before that, from the moment it is RUNNING. Warm-up is long because the JIT is: with the broker, the
     * clients and Kafka Streams in one JVM, C2 compiled for a minute at a third to half of a core (LogCompilation).
     */
    private static void service(Path home, List<String> corpus, TextTokenizer tokenizer, ObjectNode result) throws Exception {
        int warmupCopies = Integer.getInteger("bench.service.warmup.copies", 40);
        int measuredCopies = Integer.getInteger("bench.service.copies", 48);
        int batchTokens = ROWS * ROW_LENGTH;
        Path state = Files.createTempDirectory("tokenizer-bench");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().quietLogging(true).start()) {
            broker.createRegistryTopics();
            Map<Integer, Long> warmupTokens = new HashMap<>();
            Map<Integer, Long> allTokens = new HashMap<>();
            long bytes = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 18),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int copy = 0; copy < warmupCopies + measuredCopies; copy++) {
                    List<Future<RecordMetadata>> sent = new ArrayList<>(corpus.size());
                    for (String text : corpus) {
                        byte[] value = copyOf(text, copy).getBytes(StandardCharsets.UTF_8);
                        bytes += value.length;
                        sent.add(producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, null, value)));
                    }
                    int c = copy;
                    int[] documentTokens = IntStream.range(0, corpus.size()).parallel()
                            .map(i -> tokenizer.encode(copyOf(corpus.get(i), c)).length + 1).toArray();
                    for (int i = 0; i < corpus.size(); i++) {
                        int partition = sent.get(i).get().partition();
                        allTokens.merge(partition, (long) documentTokens[i], Long::sum);
                        if (copy < warmupCopies) {
                            warmupTokens.merge(partition, (long) documentTokens[i], Long::sum);
                        }
                    }
                    System.err.printf("produced copy %d of %d%n", copy + 1, warmupCopies + measuredCopies);
                }
            }
            long warmupBatches = warmupTokens.values().stream().mapToLong(t -> t / batchTokens).sum();
            long expectedBatches = allTokens.values().stream().mapToLong(t -> t / batchTokens).sum();
            double bytesPerToken = bytes / (double) allTokens.values().stream().mapToLong(Long::longValue).sum();
            result.put("service_mb", round(bytes / 1e6));
            result.put("service_warmup_copies", warmupCopies);
            result.put("service_measured_copies", measuredCopies);

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
            KafkaStreams streams = new KafkaStreams(new TokenizerTopology().buildTopology(tokenizer, config, stats), props);
            CountDownLatch running = new CountDownLatch(1);
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
            long warmAt = 0;
            long tokensWhenWarm = 0;
            CpuTimes cpuWhenWarm = null;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-batches",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
                streams.start();
                running.await();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                long nextReport = System.nanoTime() + 1_000_000_000L;
                long tokensAtReport = 0;
                while (batches < expectedBatches && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                        var batch = BatchCodec.decode(record.value());
                        batches++;
                        packedTokens += batch.tokenCount();
                        slots += (long) batch.rows() * batch.rowLength();
                    }
                    long now = System.nanoTime();
                    if (warmAt == 0 && batches >= warmupBatches) {
                        warmAt = now;
                        tokensWhenWarm = packedTokens;
                        cpuWhenWarm = CpuTimes.now();
                    }
                    if (now >= nextReport) {
                        System.err.printf("service: %d of %d batches%s, %.1f MB/s over the last second%n", batches, expectedBatches,
                                warmAt == 0 ? " (warming up)" : "", (packedTokens - tokensAtReport) * bytesPerToken / 1e6);
                        tokensAtReport = packedTokens;
                        nextReport += 1_000_000_000L;
                    }
                }
                long end = System.nanoTime();
                CpuTimes cpuAtEnd = CpuTimes.now();
                if (batches < expectedBatches) {
                    throw new IllegalStateException("only " + batches + " of " + expectedBatches + " batches in 10 minutes");
                }
                double warmupSeconds = (warmAt - runningAt[0]) / 1e9;
                double seconds = (end - warmAt) / 1e9;
                long measuredTokens = packedTokens - tokensWhenWarm;
                result.put("service_mb_s", round(measuredTokens * bytesPerToken / 1e6 / seconds));
                result.put("service_tokens_s", Math.round(measuredTokens / seconds));
                result.put("service_seconds", round(seconds));
                // Where the two cores went while measured: the whole process (broker and bench consumer included), and
                // the stream threads alone, in cores (CPU seconds per second).
                result.put("service_process_cores", round((cpuAtEnd.process() - cpuWhenWarm.process()) / 1e9 / seconds));
                result.put("service_stream_thread_cores", round((cpuAtEnd.streamThreads() - cpuWhenWarm.streamThreads()) / 1e9 / seconds));
                result.put("service_warmup_mb_s", round(tokensWhenWarm * bytesPerToken / 1e6 / warmupSeconds));
                result.put("service_warmup_seconds", round(warmupSeconds));
                result.put("service_batches", batches);
                result.put("service_expected_batches", expectedBatches);
                result.put("packing_efficiency", slots == 0 ? 0 : round(packedTokens / (double) slots));
            } finally {
                streams.close(Duration.ofSeconds(10));
            }
        }
    }

    /** CPU time so far, in nanoseconds: of the whole process, and of the Kafka Streams threads. */
    private record CpuTimes(long process, long streamThreads) {
        static CpuTimes now() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long streams = 0;
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith("tokenizer-bench-") && info.getThreadName().contains("-StreamThread-")) {
                    streams += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                }
            }
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return new CpuTimes(os.getProcessCpuTime(), streams);
        }
    }

    private static String copyOf(String text, int copy) {
        return copy == 0 ? text : "(" + copy + ") " + text;
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
                texts.add(copyOf(text, copy));
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
