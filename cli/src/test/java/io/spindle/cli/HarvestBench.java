package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.cli.tokenizer.CorpusReader;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.TokenizerJsonReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code bench/run harvest}: the packaged trainer and drafter services as processes on one machine, against
 * the embedded broker, fed real batches (the samples corpus, tokenized here with the samples tokenizer and
 * encoded with the batch codec) in bursts with pauses, so the trainer idles part of the time. The same feed
 * runs twice, each on a fresh cluster: with the drafter's spot trainer disabled (baseline), then enabled.
 *
 * <p>Measures the trainer's busy tokens/s (tokens over step compute time, from {@code train.metrics}; the
 * first burst, which pays JIT and allocator warm-up, is left out) in both runs, the idle seconds the trainer
 * announced (closed windows on {@code capacity.events}), the seconds the drafter trained inside them
 * ({@code drafter.metrics}), and the preemption latency percentiles (BUSY to the drafter stopping). The
 * trainer's start-up wait (the first window) is left out of those. The trainer checkpoints after every
 * burst in both runs, so a drafter that learns from the target (EAGLE) has one to follow. Prints progress
 * on stderr and one JSON object as the last line on stdout.
 *
 * <p>Arguments: checkout root, bursts, batches per burst, pause ms.
 */
public final class HarvestBench {

    private static final String WORKER = "trainer-0";
    /** The drafter to measure: {@code eagle} (the default) or {@code small-lm}; env DRAFTER_KIND. */
    private static final String KIND = System.getenv().getOrDefault("DRAFTER_KIND", "eagle");
    private static final int ROWS = 8;
    private static final int ROW_LENGTH = 129;
    private static final PrintStream LOG = System.err;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run measured. */
    record Phase(double busyTokensPerS, long steps, long idleMs, long idleWindows, long harvestedMs,
                 long allIdleMs, long allHarvestedMs, long drafterSteps, List<Double> preemptionMs,
                 double acceptLength, double speedup, List<Double> busyHeardAfterMs) {
    }

    public static void main(String[] args) throws Exception {
        // Client config dumps would bury the progress lines; the last stdout line must be the JSON.
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        Path home = Path.of(args[0]).toAbsolutePath();
        int bursts = Integer.parseInt(args[1]);
        int perBurst = Integer.parseInt(args[2]);
        long pauseMs = Long.parseLong(args[3]);
        List<byte[]> batches = tokenize(home, bursts * perBurst);
        LOG.printf("harvest: %d bursts of %d batches (B %d, T+1 %d), %d ms pauses%n", bursts, perBurst, ROWS, ROW_LENGTH, pauseMs);

        Phase without = run(home, batches, perBurst, pauseMs, false);
        Phase with = run(home, batches, perBurst, pauseMs, true);

        List<Double> latencies = new ArrayList<>(with.preemptionMs());
        latencies.sort(Comparator.naturalOrder());
        ObjectNode out = JSON.createObjectNode();
        out.put("idle_s", with.idleMs() / 1000.0);
        out.put("harvested_s", with.harvestedMs() / 1000.0);
        out.put("harvest_fraction", with.idleMs() == 0 ? 0 : round((double) with.harvestedMs() / with.idleMs(), 3));
        out.put("idle_s_with_startup", with.allIdleMs() / 1000.0);
        out.put("harvested_s_with_startup", with.allHarvestedMs() / 1000.0);
        out.put("trainer_tokens_s_without_drafter", round(without.busyTokensPerS(), 1));
        out.put("trainer_tokens_s_with_drafter", round(with.busyTokensPerS(), 1));
        out.put("trainer_slowdown", round(1 - with.busyTokensPerS() / without.busyTokensPerS(), 3));
        out.put("preempt_p50_ms", percentile(latencies, 0.50));
        out.put("preempt_p99_ms", percentile(latencies, 0.99));
        out.put("preempt_max_ms", latencies.isEmpty() ? null : latencies.get(latencies.size() - 1));
        out.put("preemptions", latencies.size());
        List<Double> heard = new ArrayList<>(with.busyHeardAfterMs());
        heard.sort(Comparator.naturalOrder());
        out.put("busy_to_bench_consumer_p50_ms", percentile(heard, 0.50));
        out.put("busy_to_bench_consumer_max_ms", heard.isEmpty() ? null : heard.get(heard.size() - 1));
        List<Double> heardWithout = new ArrayList<>(without.busyHeardAfterMs());
        heardWithout.sort(Comparator.naturalOrder());
        out.put("busy_to_bench_consumer_p50_ms_without_drafter", percentile(heardWithout, 0.50));
        out.put("idle_windows", with.idleWindows());
        out.put("drafter_steps", with.drafterSteps());
        // The drafter's own latest speed-up probe (greedy, on a training prompt; 0 = none ran yet).
        out.put("drafter_accept_length", round(with.acceptLength(), 2));
        out.put("drafter_speedup", round(with.speedup(), 2));
        out.put("trainer_steps", with.steps());
        out.put("drafter_kind", KIND);
        out.put("bursts", bursts);
        out.put("batches_per_burst", perBurst);
        out.put("pause_ms", pauseMs);
        out.put("load_avg_1m", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        System.out.println(JSON.writeValueAsString(out));
    }

    private static Phase run(Path home, List<byte[]> batches, int perBurst, long pauseMs, boolean drafter) throws Exception {
        Path work = Files.createTempDirectory("spindle-harvest-");
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.SERVICES) {
            ports.put(service, freePort());
        }
        Layout layout = new Layout(home, work, freePort(), ports);
        LocalCluster cluster = new LocalCluster(layout, LOG);
        LOG.printf("%n== drafter %s ==%n", drafter ? "ON" : "OFF (baseline)");
        try {
            cluster.startKafka(Map.of(), Duration.ofSeconds(120));
            cluster.startService(Service.DRAFTER, Map.of(
                    "spindle.drafter.spot.enabled", String.valueOf(drafter),
                    "spindle.drafter.spot.kind", KIND,
                    "spindle.drafter.spot.serve", WORKER), Duration.ofSeconds(180));
            cluster.startService(Service.TRAINER, Map.of(
                    "spindle.trainer.worker", WORKER,
                    "spindle.trainer.checkpoint.interval", String.valueOf(perBurst)), Duration.ofSeconds(180));
            String spot = layout.url(Service.DRAFTER) + "/api/spot";
            await("the drafter to warm up", Duration.ofSeconds(180), () -> Http.json(spot)
                    .map(view -> Set.of("WAITING", "DISABLED").contains(view.path("state").asText())).orElse(false));
            try (Events events = new Events(layout.bootstrapServers());
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, layout.bootstrapServers(),
                         ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
                int sent = 0;
                for (int burst = 0; sent < batches.size(); burst++) {
                    events.pollFor(pauseMs);
                    for (int i = 0; i < perBurst && sent < batches.size(); i++) {
                        producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", batches.get(sent++)));
                    }
                    producer.flush();
                    int expected = sent;
                    events.until("the trainer to train burst " + (burst + 1), Duration.ofSeconds(300),
                            () -> events.steps.size() >= expected);
                    LOG.printf("  burst %d trained: %d steps, %d idle windows, drafter %d steps%n", burst + 1,
                            events.steps.size(), events.busy.size(), events.lastDrafterSteps());
                }
                if (drafter) {
                    // A window the drafter saw ends with its report; wait for the last one (a window too short
                    // for the drafter to notice has none, hence no failure when it does not come).
                    events.until(null, Duration.ofSeconds(20), () -> events.drafter.size() >= events.busy.size());
                }
                events.pollFor(500);
                return events.phase(perBurst);
            }
        } finally {
            cluster.stopAll();
            // The services' logs outlive the run, for a look at what the figures came from.
            Path logs = home.resolve("target/harvest-logs/drafter-" + (drafter ? "on" : "off"));
            Files.createDirectories(logs);
            for (Service service : List.of(Service.TRAINER, Service.DRAFTER)) {
                if (Files.exists(layout.log(service))) {
                    Files.copy(layout.log(service), logs.resolve(service.id + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            deleteTree(work);
        }
    }

    /** Everything the services publish during one run, read from the beginning of each topic. */
    private static final class Events implements AutoCloseable {
        final List<StepMetrics> steps = new ArrayList<>();
        final List<CapacityEvent.Busy> busy = new ArrayList<>();
        /** How long each BUSY took to reach this bench's plain consumer: the broker's share of the drafter's wait. */
        final List<Double> busyHeardAfterMs = new ArrayList<>();
        final List<DrafterMetrics> drafter = new ArrayList<>();
        private final KafkaConsumer<String, byte[]> consumer;

        Events(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = Stream.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS, Topics.DRAFTER_METRICS)
                    .flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void poll(Duration timeout) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
                switch (record.topic()) {
                    case Topics.TRAIN_METRICS -> steps.add(Json.read(record.value(), StepMetrics.class));
                    case Topics.CAPACITY_EVENTS -> {
                        CapacityEvent event = Json.read(record.value(), CapacityEvent.class);
                        if (event instanceof CapacityEvent.Busy b && WORKER.equals(b.worker())) {
                            busy.add(b);
                            busyHeardAfterMs.add((double) (System.currentTimeMillis() - b.time()));
                        }
                    }
                    case Topics.DRAFTER_METRICS -> drafter.add(Json.read(record.value(), DrafterMetrics.class));
                    default -> { }
                }
            }
        }

        void pollFor(long ms) {
            long end = System.currentTimeMillis() + ms;
            for (long left; (left = end - System.currentTimeMillis()) > 0; ) {
                poll(Duration.ofMillis(Math.min(left, 200)));
            }
        }

        /** Polls until {@code condition} holds; after {@code timeout} fails naming {@code what}, or returns if null. */
        void until(String what, Duration timeout, BooleanSupplier condition) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    if (what == null) {
                        return;
                    }
                    throw new IllegalStateException("timed out waiting for " + what);
                }
                poll(Duration.ofMillis(100));
            }
        }

        long lastDrafterSteps() {
            return drafter.isEmpty() ? 0 : drafter.get(drafter.size() - 1).steps();
        }

        Phase phase(int warmUpSteps) {
            long tokens = 0;
            double ms = 0;
            double[] msByPosition = new double[warmUpSteps];
            for (StepMetrics step : steps) {
                if (step.step() > warmUpSteps) {
                    tokens += step.tokens();
                    ms += step.stepMs();
                    msByPosition[(int) ((step.step() - 1) % warmUpSteps)] += step.stepMs();
                }
            }
            // Where a slow-down sits: the first step of a burst shares the CPU with a drafter not yet preempted.
            long burstsCounted = Math.max(1, steps.stream().filter(s -> s.step() > warmUpSteps).count() / warmUpSteps);
            LOG.printf("  mean step ms by position in a burst: %s%n", Arrays.toString(
                    Arrays.stream(msByPosition).map(total -> Math.round(total / burstsCounted)).toArray()));
            // The first window is the trainer's start-up wait, before any batch or target checkpoint exists;
            // it says nothing about harvesting, so the figures cover the windows after it (totals kept too).
            long allIdleMs = busy.stream().mapToLong(CapacityEvent.Busy::idleMs).sum();
            long idleMs = busy.stream().skip(1).mapToLong(CapacityEvent.Busy::idleMs).sum();
            DrafterMetrics last = drafter.isEmpty() ? null : drafter.get(drafter.size() - 1);
            long allHarvestedMs = last == null ? 0 : last.harvestedIdleMs();
            long firstWindowMs = 0;
            if (busy.size() > 1) {
                long firstEnd = busy.get(0).time();
                long secondEnd = busy.get(1).time();
                firstWindowMs = drafter.stream().filter(d -> d.time() >= firstEnd && d.time() < secondEnd)
                        .findFirst().map(DrafterMetrics::harvestedIdleMs).orElse(0L);
            }
            return new Phase(tokens / (ms / 1000), steps.size(), idleMs, Math.max(0, busy.size() - 1),
                    allHarvestedMs - firstWindowMs, allIdleMs, allHarvestedMs, last == null ? 0 : last.steps(),
                    drafter.stream().skip(1).map(DrafterMetrics::preemptionLatencyMs).toList(),
                    last == null ? 0 : last.acceptLength(), last == null ? 0 : last.speedup(),
                    busyHeardAfterMs.stream().skip(1).toList());
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** The samples corpus as the tokenizer service would pack it: documents joined by EOS, rows of T+1, B rows. */
    private static List<byte[]> tokenize(Path home, int count) throws IOException {
        Path tokenizerJson = home.resolve("samples/tokenizer.json");
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(tokenizerJson));
        int eos = encoder.vocabulary().idsByToken().get("<|endoftext|>");
        int need = count * ROWS * ROW_LENGTH;
        int[] stream = new int[need];
        int[] filled = {0};
        new CorpusReader(text -> {
            if (filled[0] < need) {
                for (int id : encoder.encode(text)) {
                    if (filled[0] < need) {
                        stream[filled[0]++] = id;
                    }
                }
                if (filled[0] < need) {
                    stream[filled[0]++] = eos;
                }
            }
        }).read(List.of(home.resolve("samples/corpus.jsonl.gz")));
        if (filled[0] < need) {
            throw new IllegalStateException("the samples hold " + filled[0] + " tokens; " + need + " needed");
        }
        List<byte[]> batches = new ArrayList<>();
        for (int seq = 0; seq < count; seq++) {
            int[] tokens = Arrays.copyOfRange(stream, seq * ROWS * ROW_LENGTH, (seq + 1) * ROWS * ROW_LENGTH);
            batches.add(BatchCodec.encode(new TokenBatch("harvest", seq, ROWS, ROW_LENGTH, tokens, new int[ROWS][0],
                    "samples", new TokenBatch.Lineage(0, seq, seq))));
        }
        return batches;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
