package io.spindle.trainer;

import io.quarkus.logging.Log;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the trainer tells the rest of the system: one metrics event per step, and its capacity changes. */
final class TrainerEvents {

    private final Producer<String, byte[]> producer;

    TrainerEvents(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    void stepMetrics(StepMetrics metrics) {
        send(Topics.TRAIN_METRICS, metrics.key(), Json.write(metrics));
    }

    /** Keyed by run: the compacted topic keeps each run's newest checkpoint. */
    void checkpoint(CheckpointAnnouncement announcement) {
        send(Topics.TRAIN_CHECKPOINTS, announcement.run(), Json.write(announcement));
    }

    void capacity(CapacityEvent event) {
        send(Topics.CAPACITY_EVENTS, event.worker(), Json.write(event)); // first: a drafter waits for it
        Log.infof("capacity %s: %s (%s)", event.worker(), event instanceof CapacityEvent.Idle ? "IDLE" : "BUSY", event.reason());
    }

    private void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                Log.errorf(error, "could not publish to %s", topic);
            }
        });
    }
}
