package io.spindle.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the broker's own logging at WARN. Works through java.util.logging, which is what slf4j ends up in when
 * JBoss LogManager is the JUL manager (Quarkus, the Surefire setup of this build, {@link LocalKafka}).
 */
final class KafkaLogging {

    /**
     * Broker-side categories. Client packages (org.apache.kafka.clients, .streams) are not touched, except the two
     * shared INFO dumps every Kafka component prints: config values (AbstractConfig) and version (AppInfoParser).
     */
    private static final String[] BROKER_CATEGORIES = {
        "kafka", "state.change.logger", "org.apache.kafka.server", "org.apache.kafka.controller",
        "org.apache.kafka.raft", "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
        "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
        "org.apache.kafka.network", "org.apache.kafka.security", "org.apache.kafka.common.network",
        "org.apache.kafka.common.metrics", "org.apache.kafka.common.utils.AppInfoParser",
        "org.apache.kafka.common.config.AbstractConfig", "org.apache.kafka.server.config",
    };

    /** JUL keeps loggers weakly; hold them so the level stays set. */
    private static final List<Logger> HELD = new ArrayList<>();

    private KafkaLogging() {
    }

    static synchronized void quietBroker() {
        if (!HELD.isEmpty()) {
            return;
        }
        for (String category : BROKER_CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
            HELD.add(logger);
        }
        // Logs a WARN on every fresh format ("Performing controller activation ..."), which is expected here.
        Logger activation = Logger.getLogger("org.apache.kafka.controller.QuorumController");
        if (activation.getLevel() == null) {
            activation.setLevel(Level.SEVERE);
        }
        HELD.add(activation);
    }
}
