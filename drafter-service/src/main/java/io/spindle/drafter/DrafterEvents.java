package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/** What the spot trainer publishes: its progress after each window, and each checkpoint it writes. */
final class DrafterEvents {

    private static final Logger LOG = Logger.getLogger(DrafterEvents.class);

    private final Producer<String, byte[]> producer;

    DrafterEvents(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    void metrics(DrafterMetrics metrics) {
        send(Topics.DRAFTER_METRICS, metrics.drafter(), Json.write(metrics));
    }

    void checkpoint(CheckpointAnnouncement announcement) {
        send(Topics.DRAFTER_CHECKPOINTS, announcement.run(), Json.write(announcement));
    }

    private void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                LOG.errorf(error, "could not publish to %s", topic);
            }
        });
    }
}
