package io.spindle.trainer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.spindle.contracts.StepMetrics;
import io.spindle.model.ThreadPriority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Starts the training loop on its own thread when the application starts, and stops it cleanly. */
@ApplicationScoped
public class TrainerService {

    private final TrainerConfig config;
    private final TrainerStatus status = new TrainerStatus();
    private final Map<String, Object> kafka;
    private final String groupId;
    private Producer<String, byte[]> producer;
    private TrainingLoop loop;
    private Thread thread;

    /**
     * @param kafka every {@code kafka.*} setting (bootstrap servers, and security such as SASL/SCRAM or TLS),
     *              so the loop's own clients connect by configuration alone
     */
    public TrainerService(TrainerConfig config, MeterRegistry registry,
                          @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.kafka = kafka;
        this.groupId = config.groupId();
        gauge(registry, "spindle_trainer_step", StepMetrics::step);
        gauge(registry, "spindle_trainer_loss", StepMetrics::loss);
        gauge(registry, "spindle_trainer_tokens_per_second", StepMetrics::tokensPerS);
        gauge(registry, "spindle_trainer_mfu", StepMetrics::mfu);
    }

    void start(@Observes StartupEvent event) {
        int nice = ThreadPriority.requireNice("spindle.trainer.compute-nice", config.computeNice());
        // Before anything loads PyTorch: bit-reproducible MKL kernels, so a resumed run matches an uninterrupted one.
        NumericReproducibility.pinMklBranch();
        // Natives come from the classpath; nothing is downloaded at run time.
        System.getProperties().putIfAbsent("ai.djl.offline", "true");
        System.getProperties().putIfAbsent("ai.djl.default_engine", "PyTorch");
        if (config.threads() > 0) {
            // Read by DJL when the PyTorch engine starts, which happens on the loop's first model.
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        // A broker restart or an outage of minutes must not drop step reports or capacity events: the producer
        // (idempotent, so a retry is never written twice) retries until the broker is back, and a send waits up
        // to 10 min for the topic's metadata. Any kafka.* setting overrides these.
        Map<String, Object> producerConfig = new HashMap<>(Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Duration.ofMinutes(10).toMillis()));
        // No linger: a BUSY is what tells a drafter to give the CPU back, and a step sends only a record or two,
        // so waiting to batch them would only delay it.
        producerConfig.putAll(withKafka(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "trainer-" + config.worker(),
                ProducerConfig.LINGER_MS_CONFIG, 0)));
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(withKafka(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, "trainer-" + config.worker(),
                // Static membership: a replica restarted after a crash takes its old place at once instead of
                // waiting out the dead member's session (45 s), and keeps its partitions.
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.worker(),
                // Batches are written in transactions; never train on one that was aborted.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        loop = new TrainingLoop(config, consumer, new TrainerEvents(producer), status);
        thread = new Thread(() -> {
            // Before the first model: PyTorch's OpenMP workers are started by this thread and inherit its nice value.
            ThreadPriority.lowerCurrentThread(nice);
            loop.run();
        }, "training-loop");
        thread.start();
        Log.infof("trainer %s of run %s reading batches from %s", config.worker(), config.run(), kafka.get("bootstrap.servers"));
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(Duration.ofSeconds(30).toMillis());
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private Map<String, Object> withKafka(Map<String, Object> own) {
        Map<String, Object> merged = new HashMap<>(kafka);
        merged.putAll(own);
        return merged;
    }

    public TrainerStatus status() {
        return status;
    }

    boolean loopAlive() {
        return thread != null && thread.isAlive();
    }

    /** What became of a request for a checkpoint. */
    enum CheckpointRequest { ACCEPTED, CHECKPOINTS_OFF, NOT_TRAINING }

    /** Hands a checkpoint request to the training loop, which writes it between two steps. */
    CheckpointRequest requestCheckpoint() {
        if (!loopAlive()) {
            return CheckpointRequest.NOT_TRAINING;
        }
        return loop.requestCheckpoint() ? CheckpointRequest.ACCEPTED : CheckpointRequest.CHECKPOINTS_OFF;
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<StepMetrics> value) {
        Gauge.builder(name, status, s -> s.latest() == null ? Double.NaN : value.applyAsDouble(s.latest()))
                .tag("run", config.run())
                .tag("worker", config.worker())
                .register(registry);
    }
}
