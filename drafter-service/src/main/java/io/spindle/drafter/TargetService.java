package io.spindle.drafter;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.spindle.model.OptimizerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Map;

/** Runs the {@link TargetFollower} on its own thread: the newest target checkpoint of the run, always loaded. */
@ApplicationScoped
public class TargetService {

    /** The target is never trained here; its optimizer settings only satisfy the loader. */
    private static final OptimizerConfig FROZEN = OptimizerConfig.defaults(1);

    private final DrafterConfig config;
    private final ModelRoom room;
    private final TargetStatus status;
    private final Map<String, Object> kafka;
    private TargetFollower follower;
    private Thread thread;

    public TargetService(DrafterConfig config, ModelRoom room, TargetStatus status,
                         @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.room = room;
        this.status = status;
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        System.getProperties().putIfAbsent("ai.djl.offline", "true");
        System.getProperties().putIfAbsent("ai.djl.default_engine", "PyTorch");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.with(kafka, Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, config.id() + "-target",
                // No group: the follower assigns itself every partition and reads from the beginning each start.
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                new StringDeserializer(), new ByteArrayDeserializer());
        follower = new TargetFollower(config.run(), consumer, room, FROZEN, status);
        thread = new Thread(follower, "target-follower");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (follower != null) {
            follower.stop();
            thread.join(Duration.ofSeconds(10).toMillis());
        }
        room.closeTarget();
    }
}
