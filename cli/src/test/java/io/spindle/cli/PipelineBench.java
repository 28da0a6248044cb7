package io.spindle.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.SpecialTokens;
import io.spindle.tokenizers.TokenizerJsonReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

/**
 * {@code bench/run pipeline}: a load run of the tokenizer service. The packaged tokenizer-service and the
 * embedded broker run as processes (as {@code bin/spindle} runs them); {@code DOCS} documents of about
 * {@code DOC_BYTES} bytes each, generated deterministically from {@code samples/} text (a slice of a sample
 * document, made unique by its number, so the tokenizer's dedup keeps them all), are produced to
 * {@code corpus.documents} as fast as the broker takes them, and {@code train.batches} is read back as it
 * is committed.
 *
 * <p>Every {@code SAMPLE_SECONDS} it samples each process's RSS (/proc) and heap in use ({@code jstat}), and
 * the text MB/s packed in that interval (documents whose EOS has been read back). At the end it checks
 * conservation per document: the token stream of each input partition, split at EOS, must equal, document
 * by document (a 64-bit hash of each one's ids), the reference encoder's output for the documents sent to
 * that partition, in order; batch sequence numbers must run without gap or repeat; only a partial batch's
 * worth of tokens may remain held by the tokenizer. That check re-encodes everything after the timed run.
 *
 * <p>Progress goes to stderr; the last stdout line is one JSON object. Arguments: the checkout root.
 */
public final class PipelineBench {

    private static final PrintStream LOG = System.err;
    private static final long HASH_SEED = 0xcbf29ce484222325L;
    /** The tokenizer's Kafka Streams application id, so its consumer group. */
    private static final String TOKENIZER_GROUP = "spindle-tokenizer";

    private final Path home;
    private final int docs;
    private final int docBytes;
    private final Duration sampleEvery;
    private final List<String> samples;
    /** UTF-8 bytes of each document's text, by document number. */
    private final int[] textBytes;

    PipelineBench(Path home, int docs, int docBytes, Duration sampleEvery) throws IOException {
        this.home = home;
        this.docs = docs;
        this.docBytes = docBytes;
        this.sampleEvery = sampleEvery;
        this.samples = sampleTexts(home.resolve("samples/corpus.jsonl.gz"));
        this.textBytes = new int[docs];
        for (int i = 0; i < docs; i++) {
            textBytes[i] = text(i).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        Path home = Path.of(args[0]).toAbsolutePath();
        int docs = Integer.parseInt(System.getenv().getOrDefault("DOCS", "1000000"));
        int docBytes = Integer.parseInt(System.getenv().getOrDefault("DOC_BYTES", "1000"));
        int sampleSeconds = Integer.parseInt(System.getenv().getOrDefault("SAMPLE_SECONDS", "5"));
        if (docs < 1 || docBytes < 16 || sampleSeconds < 1) {
            throw new IllegalArgumentException("DOCS >= 1, DOC_BYTES >= 16 and SAMPLE_SECONDS >= 1, were " + docs + ", "
                    + docBytes + ", " + sampleSeconds);
        }
        ObjectNode result = new PipelineBench(home, docs, docBytes, Duration.ofSeconds(sampleSeconds)).run();
        System.out.println(Json.MAPPER.writeValueAsString(result));
    }

    /** Document {@code i}: its number, then about {@code docBytes} characters of a sample document from a spread-out offset. */
    String text(int i) {
        String source = samples.get((int) ((i * 7919L) % samples.size()));
        int length = Math.min(docBytes, source.length());
        int start = (int) (((i * 2654435761L) >>> 8) % (source.length() - length + 1));
        int end = start + length;
        if (start > 0 && Character.isLowSurrogate(source.charAt(start))) {
            start++;
        }
        if (end > start && Character.isHighSurrogate(source.charAt(end - 1))) {
            end--;
        }
        return "#" + i + " " + source.substring(start, end);
    }

    /** What one input partition of the tokenizer gave back, as read from {@code train.batches}. */
    static final class PartitionStream {
        long nextSeq;
        long repeatedBatches;
        long missingBatches;
        long tokens;
        long docHash = HASH_SEED;
        long[] docHashes = new long[1024];
        int completedDocs;

        void batch(TokenBatch batch) {
            if (batch.seq() < nextSeq) {
                repeatedBatches++;
                return;
            }
            missingBatches += batch.seq() - nextSeq;
            nextSeq = batch.seq() + 1;
            for (int token : batch.tokens()) {
                tokens++;
                if (token == SpecialTokens.EOS_ID) {
                    if (completedDocs == docHashes.length) {
                        docHashes = Arrays.copyOf(docHashes, docHashes.length * 2);
                    }
                    docHashes[completedDocs++] = docHash;
                    docHash = HASH_SEED;
                } else {
                    docHash = hash(docHash, token);
                }
            }
        }
    }

    static long hash(long h, int token) {
        return (h ^ token) * 0x100000001b3L;
    }

    ObjectNode run() throws Exception {
        LocalCluster cluster = ClusterFixture.cluster("pipeline-bench", List.of(Service.TOKENIZER));
        // per sample: elapsed ms, rss kB, heap in use kB, heap committed kB
        Map<Service, List<long[]>> memory = new EnumMap<>(Service.class);
        List<double[]> throughput = new ArrayList<>(); // per interval: elapsed s, text MB/s
        try {
            cluster.startKafka(Map.of(), Duration.ofSeconds(120));
            cluster.startService(Service.TOKENIZER, Map.of("spindle.tokenizer.path", ClusterFixture.SAMPLES_TOKENIZER.toString()),
                    Duration.ofSeconds(120));
            int partitions;
            try (KafkaProducer<String, byte[]> probe = ClusterFixture.producer(cluster)) {
                partitions = probe.partitionsFor(Topics.CORPUS_DOCUMENTS).size();
            }
            PartitionStream[] streams = new PartitionStream[partitions];
            Arrays.setAll(streams, p -> new PartitionStream());
            AtomicLong packedBytes = new AtomicLong();
            AtomicLong lastPackedAt = new AtomicLong(); // nanoTime of the last document packed: the end of the timed run
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long totalText = Arrays.stream(textBytes).asLongStream().sum();
            LOG.printf("pipeline bench: %,d documents, %.1f MB of text, %d partitions%n", docs, totalText / 1e6, partitions);

            long t0 = System.nanoTime();
            CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> produce(cluster, partitions, failure));
            Thread reader = new Thread(() -> read(cluster, streams, partitions, packedBytes, lastPackedAt, failure), "batches-reader");
            reader.setDaemon(true);
            reader.start();

            // Sample until the tokenizer has committed every input record and nothing more comes back.
            long lastPacked = 0;
            long lastSample = t0;
            long deadline = t0 + Duration.ofSeconds(120 + docs / 200L).toNanos();
            long packedWhenCommitted = -1;
            while (true) {
                LocalCluster.sleep(sampleEvery);
                long now = System.nanoTime();
                for (Service service : List.of(Service.KAFKA, Service.TOKENIZER)) {
                    long pid = cluster.running(service).map(ProcessHandle::pid).orElse(-1L);
                    long[] heap = heapKb(pid);
                    memory.computeIfAbsent(service, s -> new ArrayList<>()).add(new long[] {
                            (now - t0) / 1_000_000, ProcMemory.rssKb(pid), heap[0], heap[1]});
                }
                long packed = packedBytes.get();
                double mbS = (packed - lastPacked) / 1e6 / ((now - lastSample) / 1e9);
                throughput.add(new double[] {(now - t0) / 1e9, mbS});
                LOG.printf("  %5.0f s  %6.2f MB/s  packed %7.1f MB  rss kafka %4d MB tokenizer %4d MB  heap tokenizer %4d of %4d MB%n",
                        (now - t0) / 1e9, mbS, packed / 1e6, last(memory, Service.KAFKA)[1] / 1024,
                        last(memory, Service.TOKENIZER)[1] / 1024, last(memory, Service.TOKENIZER)[2] / 1024,
                        last(memory, Service.TOKENIZER)[3] / 1024);
                lastPacked = packed;
                lastSample = now;
                if (failure.get() != null) {
                    throw new IllegalStateException("bench failed", failure.get());
                }
                // Done once the whole input is committed and one more interval brought nothing back.
                if (producing.isDone() && inputCommitted(cluster)) {
                    if (packed == packedWhenCommitted) {
                        break;
                    }
                    packedWhenCommitted = packed;
                }
                if (now > deadline) {
                    throw new IllegalStateException("not done after " + (now - t0) / 1_000_000_000 + " s");
                }
            }
            reading.set(false);
            reader.join(Duration.ofSeconds(30).toMillis());
            long sent = producing.get();
            double seconds = (lastPackedAt.get() - t0) / 1e9;
            Conservation check = conserve(streams, partitions);
            return result(sent, totalText, seconds, throughput, memory, check, streams);
        } finally {
            cluster.stopAll();
            deleteTree(cluster.layout().workDir());
        }
    }

    private long produce(LocalCluster cluster, int partitions, AtomicReference<Throwable> failure) {
        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
            for (int i = 0; i < docs && failure.get() == null; i++) {
                ObjectNode doc = Json.MAPPER.createObjectNode().put("id", "d" + i).put("text", text(i)).put("source", "bench");
                // Explicit partitions: document i goes to i % partitions, so the check knows each partition's order.
                producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, i % partitions, "d" + i, Json.MAPPER.writeValueAsBytes(doc)),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            return docs;
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            throw new IllegalStateException(e);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);

    private void read(LocalCluster cluster, PartitionStream[] streams, int partitions, AtomicLong packedBytes,
                      AtomicLong lastPackedAt, AtomicReference<Throwable> failure) {
        try (KafkaConsumer<String, byte[]> consumer = ClusterFixture.consumer(cluster, "pipeline-bench")) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
            while (reading.get() && failure.get() == null) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TokenBatch batch = BatchCodec.decode(record.value());
                    int partition = batch.lineage().partition();
                    PartitionStream stream = streams[partition];
                    synchronized (stream) {
                        int before = stream.completedDocs;
                        stream.batch(batch);
                        long bytes = 0;
                        for (int k = before; k < stream.completedDocs; k++) {
                            long doc = (long) k * partitions + partition;
                            bytes += doc < docs ? textBytes[(int) doc] : 0;
                        }
                        if (bytes > 0) {
                            packedBytes.addAndGet(bytes);
                            lastPackedAt.set(System.nanoTime());
                        }
                    }
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** The tokenizer's group has committed the end of every input partition (its batches commit in the same transaction). */
    private static boolean inputCommitted(LocalCluster cluster) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(TOKENIZER_GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            committed.keySet().stream().filter(tp -> tp.topic().equals(Topics.CORPUS_DOCUMENTS))
                    .forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            if (latest.isEmpty()) {
                return false;
            }
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            // The feed is not transactional: the end offset is the last record's + 1, which a full commit reaches.
            return latest.keySet().stream().allMatch(tp -> committed.get(tp) != null
                    && committed.get(tp).offset() >= ends.get(tp).offset());
        } catch (Exception e) {
            LOG.println("  (offsets not readable yet: " + e + ")");
            return false;
        }
    }

    record Conservation(long documents, long tokens, long pendingTokens, long lost, long duplicated, long mismatched) {
    }

    /**
     * Re-encodes every document with the reference encoder, per partition in send order, and compares it with
     * what came back. Lost: a document not packed although more than a partial batch of tokens followed it, or
     * packed with other tokens. Duplicated: a repeated batch, or more documents or tokens back than were sent.
     */
    private Conservation conserve(PartitionStream[] streams, int partitions) throws Exception {
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(ClusterFixture.SAMPLES_TOKENIZER));
        int batchTokens = 8 * 129; // the tokenizer's defaults (rows-per-batch x row-length)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<long[]>> perPartition = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                perPartition.add(pool.submit(() -> {
                    PartitionStream stream = streams[partition];
                    ByteLevelBpeEncoder mine = encoder.forAnotherThread(); // its cache is not thread-safe
                    long expectedTokens = 0;
                    long mismatched = 0;
                    long unpacked = 0;
                    long documents = 0;
                    for (long doc = partition; doc < docs; doc += partitions) {
                        int[] ids = mine.encode(text((int) doc));
                        long h = HASH_SEED;
                        for (int id : ids) {
                            h = hash(h, id);
                        }
                        expectedTokens += ids.length + 1;
                        if (documents < stream.completedDocs) {
                            if (stream.docHashes[(int) documents] != h) {
                                mismatched++;
                            }
                        } else {
                            unpacked++;
                        }
                        documents++;
                    }
                    long pending = expectedTokens - stream.tokens;
                    long lost = mismatched + (pending >= batchTokens ? unpacked : 0);
                    long duplicated = stream.repeatedBatches + Math.max(0, stream.completedDocs - documents) + (pending < 0 ? 1 : 0);
                    return new long[] {documents, stream.tokens, Math.max(0, pending), lost + stream.missingBatches, duplicated,
                            mismatched};
                }));
            }
            long[] sum = new long[6];
            for (Future<long[]> f : perPartition) {
                long[] r = f.get();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += r[i];
                }
            }
            return new Conservation(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
        } finally {
            pool.shutdownNow();
        }
    }

    private ObjectNode result(long sent, long totalText, double seconds, List<double[]> throughput,
                              Map<Service, List<long[]>> memory, Conservation check, PartitionStream[] streams) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("bench", "pipeline");
        out.put("documents", sent);
        out.put("text_mb", round(totalText / 1e6));
        out.put("seconds", round(seconds));
        out.put("mb_s", round(totalText / 1e6 / seconds));
        out.put("docs_s", Math.round(sent / seconds));
        // Stability over the steady part: the intervals between the first and the last (ramp-up and the tail).
        double[] steady = throughput.stream().mapToDouble(t -> t[1]).toArray();
        double[] inner = steady.length > 4 ? Arrays.copyOfRange(steady, 1, steady.length - 2) : steady;
        double mean = Arrays.stream(inner).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(inner).map(v -> (v - mean) * (v - mean)).average().orElse(0));
        out.put("mb_s_steady_mean", round(mean));
        out.put("mb_s_steady_cv", round(mean > 0 ? sd / mean : 0));
        ArrayNode intervals = out.putArray("mb_s_intervals");
        throughput.forEach(t -> intervals.add(round(t[1])));
        ObjectNode peakRss = out.putObject("peak_rss_mb");
        ObjectNode peakHeap = out.putObject("peak_heap_mb");
        ObjectNode rssHalves = out.putObject("rss_mb_max_first_half_vs_second_half");
        // RSS less the committed heap: native memory (RocksDB, tokenizer natives, thread stacks, metaspace, code).
        ObjectNode nativeHalves = out.putObject("non_heap_rss_mb_max_first_half_vs_second_half");
        ObjectNode peakCommitted = out.putObject("peak_heap_committed_mb");
        memory.forEach((service, samples) -> {
            peakRss.put(service.id, samples.stream().mapToLong(s -> s[1]).max().orElse(-1) / 1024);
            peakHeap.put(service.id, samples.stream().mapToLong(s -> s[2]).max().orElse(-1) / 1024);
            peakCommitted.put(service.id, samples.stream().mapToLong(s -> s[3]).max().orElse(-1) / 1024);
            int half = samples.size() / 2;
            nativeHalves.putArray(service.id)
                    .add(samples.subList(0, Math.max(1, half)).stream().mapToLong(s -> s[1] - s[3]).max().orElse(-1) / 1024)
                    .add(samples.subList(half, samples.size()).stream().mapToLong(s -> s[1] - s[3]).max().orElse(-1) / 1024);
            rssHalves.putArray(service.id)
                    .add(samples.subList(0, Math.max(1, half)).stream().mapToLong(s -> s[1]).max().orElse(-1) / 1024)
                    .add(samples.subList(half, samples.size()).stream().mapToLong(s -> s[1]).max().orElse(-1) / 1024);
        });
        ObjectNode series = out.putObject("rss_mb_samples");
        memory.forEach((service, samples) -> {
            ArrayNode values = series.putArray(service.id);
            samples.forEach(s -> values.add(s[1] / 1024));
        });
        out.put("tokens", check.tokens());
        out.put("batches", Arrays.stream(streams).mapToLong(s -> s.nextSeq).sum());
        out.put("pending_tokens", check.pendingTokens());
        out.put("lost", check.lost());
        out.put("duplicated", check.duplicated());
        out.put("load_avg", loadAverage());
        return out;
    }

    private static long[] last(Map<Service, List<long[]>> memory, Service service) {
        List<long[]> samples = memory.get(service);
        return samples.get(samples.size() - 1);
    }

    private static final List<String> HEAP_USED = List.of("S0U", "S1U", "EU", "OU");
    private static final List<String> HEAP_COMMITTED = List.of("S0C", "S1C", "EC", "OC");

    /**
     * Heap in use and heap committed (survivors + eden + old), kB, from one {@code jstat -gc} (each call
     * starts a JVM: one per process and sample); -1 each when unknown.
     */
    static long[] heapKb(long pid) {
        long[] unknown = {-1, -1};
        if (pid < 0) {
            return unknown;
        }
        Path jstat = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jstat");
        try {
            Process process = new ProcessBuilder(jstat.toString(), "-gc", String.valueOf(pid)).redirectErrorStream(true).start();
            List<String> lines;
            try (BufferedReader reader = process.inputReader()) {
                lines = reader.lines().toList();
            }
            process.waitFor(10, TimeUnit.SECONDS);
            if (lines.size() < 2) {
                return unknown;
            }
            List<String> header = List.of(lines.get(0).trim().split("\\s+"));
            String[] values = lines.get(1).trim().split("\\s+");
            return new long[] {sum(header, values, HEAP_USED), sum(header, values, HEAP_COMMITTED)};
        } catch (IOException | RuntimeException e) {
            return unknown;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unknown;
        }
    }

    private static long sum(List<String> header, String[] values, List<String> columns) {
        double sum = 0;
        for (String column : columns) {
            int index = header.indexOf(column);
            if (index >= 0 && index < values.length && !values[index].equals("-")) {
                sum += Double.parseDouble(values[index]);
            }
        }
        return (long) sum;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static List<String> sampleTexts(Path corpus) throws IOException {
        List<String> texts = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(corpus)),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String text = Json.MAPPER.readTree(line).path("text").asText("");
                if (!text.isBlank()) {
                    texts.add(text);
                }
            }
        }
        return texts;
    }

    /** The work dir holds the broker's log (about twice the input): removed after the run. */
    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.println("could not delete " + dir + ": " + e);
        }
    }

}
