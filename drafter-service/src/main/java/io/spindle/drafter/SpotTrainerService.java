package io.spindle.drafter;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.spindle.model.CheckpointStore;
import io.spindle.model.ThreadPriority;
import io.spindle.model.speculative.DraftLengthBandit;
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
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/** Runs the {@link SpotTrainer} on its own thread for the life of the application. */
@ApplicationScoped
public class SpotTrainerService {

    private static final Logger LOG = Logger.getLogger(SpotTrainerService.class);

    private final DrafterConfig config;
    private final SpotGate gate;
    private final SpotStats stats;
    private final ModelRoom room;
    private final Map<String, Object> kafka;
    private final DraftLengthBandit bandit;
    private Producer<String, byte[]> producer;
    private SpotTrainer trainer;
    private Thread thread;

    /**
     * @param kafka every {@code kafka.*} setting (bootstrap servers, and security such as SASL/SCRAM or TLS),
     *              so the spot trainer's own clients connect exactly as the messaging channels do
     */
    public SpotTrainerService(DrafterConfig config, SpotGate gate, SpotStats stats, ModelRoom room,
                              @Identifier("default-kafka-broker") Map<String, Object> kafka, DraftLengthBandit bandit) {
        this.config = config;
        this.gate = gate;
        this.stats = stats;
        this.room = room;
        this.kafka = kafka;
        this.bandit = bandit;
    }

    void start(@Observes StartupEvent event) {
        DrafterConfig.Spot spot = config.spot();
        if (!spot.enabled()) {
            stats.state("DISABLED");
            LOG.info("spot training disabled (spindle.drafter.spot.enabled=false); tracking idle windows only");
            return;
        }
        if (spot.rowsPerStep() < 1) {
            throw new IllegalArgumentException("spindle.drafter.spot.rows-per-step must be >= 1, was " + spot.rowsPerStep());
        }
        int nice = ThreadPriority.requireNice("spindle.drafter.spot.compute-nice", spot.computeNice());
        if (spot.replayBatches() < 0) {
            throw new IllegalArgumentException("spindle.drafter.spot.replay-batches must be >= 0, was " + spot.replayBatches());
        }
        SpeedupProbe probe = new SpeedupProbe(spot.probeEverySteps(), spot.probeTokens(), bandit);
        // Natives come from the classpath; nothing is downloaded at run time.
        System.getProperties().putIfAbsent("ai.djl.offline", "true");
        System.getProperties().putIfAbsent("ai.djl.default_engine", "PyTorch");
        if (spot.threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(spot.threads()));
        }
        producer = new KafkaProducer<>(KafkaClients.with(kafka, Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, config.id())),
                new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> batches = new KafkaConsumer<>(KafkaClients.with(kafka, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, spot.groupId(),
                ConsumerConfig.CLIENT_ID_CONFIG, config.id() + "-batches",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // One batch per poll: a BUSY is honoured between any two steps, and nothing fetched is dropped.
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        CheckpointStore checkpoints = new CheckpointStore(spot.checkpointDir(), spot.keepCheckpoints());
        trainer = new SpotTrainer(config.id(), config.run(), spot.rowsPerStep(), spot.replayBatches(), gate, room, batches,
                Drafters.factory(spot, checkpoints), checkpoints, new DrafterEvents(producer), stats, probe);
        thread = new Thread(() -> {
            // Before the drafter is built: PyTorch's OpenMP workers are started by this thread and inherit it.
            ThreadPriority.lowerCurrentThread(nice);
            trainer.run();
        }, "spot-trainer");
        thread.start();
        LOG.infof("spot trainer %s serves workers %s; checkpoints in %s", config.id(), spot.serve(), spot.checkpointDir());
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (trainer != null) {
            trainer.stop();
            thread.join(Duration.ofSeconds(30).toMillis());
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    boolean healthy() {
        return trainer == null || thread.isAlive();
    }
}
