package io.spindle.metrics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * bench/run metrics: a real broker, the packaged metrics-service as its own process, and
 * <ol>
 *   <li>sustained ingest: N step events produced as fast as the producer goes; events_per_s = N / (time until the
 *       service's summary counts all N);</li>
 *   <li>update latency: steps produced at a steady rate while an SSE client listens; the time from producing a step
 *       to receiving its 'points' push, p50/p99/max.</li>
 * </ol>
 * Prints one JSON object as its last line. Args: service jar, ingest events, latency events, latency rate per s.
 */
public final class MetricsBench {

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int ingestEvents = Integer.parseInt(args[1]);
        int latencyEvents = Integer.parseInt(args[2]);
        int ratePerS = Integer.parseInt(args[3]);
        Path work = Files.createTempDirectory("spindle-metrics-bench-");

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka")).quietLogging(true).start()) {
            kafka.createRegistryTopics();
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
            // Extra options for the service JVM only (a JFR recording, say): bench.service.java-options.
            for (String option : System.getProperty("bench.service.java-options", "").trim().split("\\s+")) {
                if (!option.isEmpty()) {
                    command.add(option);
                }
            }
            command.addAll(List.of("-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dquarkus.http.port=" + port,
                    "-Dkafka-streams.state.dir=" + work.resolve("state"),
                    "-jar", jar.toString()));
            Process service = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(work.resolve("service.log").toFile()).start();
            try {
                String base = "http://127.0.0.1:" + port;
                HttpClient http = HttpClient.newHttpClient();
                awaitReady(http, base);
                ObjectNode result = Json.MAPPER.createObjectNode().put("bench", "metrics");
                try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                    ingest(http, base, producer, ingestEvents, service.toHandle(), result);
                    latency(base, producer, latencyEvents, ratePerS, result);
                }
                result.put("load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                result.put("cores", Runtime.getRuntime().availableProcessors());
                result.put("note", "service as a separate JVM (-Xmx512m), embedded broker and load generator in this JVM, one machine");
                System.out.println(Json.MAPPER.writeValueAsString(result));
            } finally {
                service.destroy();
                service.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private static void ingest(HttpClient http, String base, KafkaProducer<String, byte[]> producer, int events,
                               ProcessHandle service, ObjectNode result) throws Exception {
        String run = "bench-ingest";
        int workers = 4;
        long start = System.currentTimeMillis();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            StepMetrics m = step(run, "w" + (i % workers), i / workers + 1, start + i / workers);
            records.add(new ProducerRecord<>(Topics.TRAIN_METRICS, m.key(), Json.write(m)));
        }
        // CPU time per event, of the service and of this JVM (broker + load generator): unlike events/s, it does
        // not depend on how many other processes share the cores.
        long serviceCpu0 = cpuNanos(service);
        long benchCpu0 = benchCpuNanos();
        long t0 = System.nanoTime();
        records.forEach(producer::send);
        producer.flush();
        double produceS = (System.nanoTime() - t0) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long steps = 0;
        while (steps < events && System.nanoTime() < deadline) {
            Thread.sleep(100);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200) {
                steps = Json.MAPPER.readTree(answer.body()).path("steps").asLong();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long serviceCpu = cpuNanos(service) - serviceCpu0;
        long benchCpu = benchCpuNanos() - benchCpu0;
        if (steps < events) {
            throw new IllegalStateException("only " + steps + " of " + events + " steps counted in 10 min");
        }
        result.put("events_per_s", Math.round(events / seconds));
        result.put("ingest_events", events);
        result.put("ingest_s", round(seconds));
        result.put("produce_s", round(produceS));
        result.put("service_cpu_us_per_event", round(serviceCpu / 1e3 / events));
        result.put("broker_and_generator_cpu_us_per_event", round(benchCpu / 1e3 / events));
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private static long benchCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void latency(String base, KafkaProducer<String, byte[]> producer, int events, int ratePerS, ObjectNode result)
            throws Exception {
        String run = "bench-latency";
        // The run must exist before an SSE listener can be sure it is on the right instance: one warm-up step.
        producer.send(record(step(run, "w0", 0, System.currentTimeMillis()))).get();
        Map<Long, Long> sentAtNanos = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/events")).build();
        HttpResponse<java.io.InputStream> sse = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                String event = "";
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:") && event.equals("points")) {
                        long now = System.nanoTime();
                        JsonNode loss = Json.MAPPER.readTree(line.substring(5)).path("points").path("loss");
                        if (loss.size() > 0) {
                            Long sent = sentAtNanos.remove(loss.get(0).path("step").asLong());
                            if (sent != null) {
                                latencies.add((now - sent) / 1e6);
                            }
                        }
                    }
                }
            } catch (Exception closed) {
                // the stream ends when the bench closes it
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(1_000);

        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerS;
        long next = System.nanoTime();
        for (int i = 1; i <= events; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            sentAtNanos.put((long) i, System.nanoTime());
            producer.send(record(step(run, "w0", i, System.currentTimeMillis())));
            next += intervalNanos;
        }
        producer.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (latencies.size() < events && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        sse.body().close();
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        result.put("update_latency_ms_p50", round(percentile(sorted, 0.50)));
        result.put("update_latency_ms_p99", round(percentile(sorted, 0.99)));
        result.put("update_latency_ms_max", round(sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1)));
        result.put("latency_events", events);
        result.put("latency_events_received", sorted.size());
        result.put("latency_rate_per_s", ratePerS);
    }

    private static StepMetrics step(String run, String worker, long step, long time) {
        return new StepMetrics(Schema.V1, run, worker, step, time, 3.0 + 1.0 / (step + 1), step % 100 == 0 ? 3.1 : null, 3e-4, 0.7,
                1024, 1024 * step, 400, 5, 2_500, 0.41, 1, "0:" + step, 900);
    }

    private static ProducerRecord<String, byte[]> record(StepMetrics m) {
        return new ProducerRecord<>(Topics.TRAIN_METRICS, m.key(), Json.write(m));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer());
    }

    private static void awaitReady(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("metrics-service not ready within 2 min");
    }

    private static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private MetricsBench() {
    }
}
