package io.spindle.trainer;

import io.quarkus.logging.Log;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.Schema;
import io.spindle.model.CheckpointStore;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The trainer's checkpoints: the model's whole training state plus the Kafka offsets it consumed, in one
 * atomically written folder per step under {@code <dir>/<run>}, announced on {@code train.checkpoints}.
 *
 * <p>The offsets are the next offset to train per partition ({@code offset.<topic>-<partition>} in the
 * checkpoint's metadata). They are the source of truth on restart: offsets committed to the consumer group
 * may be ahead of the checkpoint (steps trained after it were lost with the process) and would skip batches.
 */
final class Checkpointer {

    private static final String OFFSET = "offset.";

    /** A restored trainer and where its data resumes. */
    record Restored(GptTrainer trainer, Map<TopicPartition, Long> offsets, long step) {
    }

    private final CheckpointStore store;
    private final String run;
    private final TrainerEvents events;

    Checkpointer(Path root, int keep, String run, TrainerEvents events) {
        this.store = new CheckpointStore(root.resolve(run), keep);
        this.run = run;
        this.events = events;
    }

    /** The newest valid checkpoint of this run, loaded; empty when there is none (a fresh run). */
    Optional<Restored> restore(OptimizerConfig optimizer) {
        return store.newestValid().map(checkpoint -> {
            GptTrainer trainer = GptTrainer.load(checkpoint.dir(), optimizer);
            Map<TopicPartition, Long> offsets = decode(checkpoint.metadata());
            Log.infof("resuming from %s: step %d, offsets %s", checkpoint.dir(), checkpoint.step(), offsets);
            return new Restored(trainer, offsets, checkpoint.step());
        });
    }

    /** Writes the trainer's state and {@code consumed} offsets, prunes old checkpoints, announces it. */
    CheckpointStore.Checkpoint save(GptTrainer trainer, Map<TopicPartition, Long> consumed, String tokenizerId) {
        long started = System.nanoTime();
        CheckpointStore.Checkpoint written = store.write(trainer.step(), encode(consumed), trainer::save);
        events.checkpoint(new CheckpointAnnouncement(Schema.V1, run, written.step(), System.currentTimeMillis(),
                written.dir().toUri().toString(), written.sha256().get(GptTrainer.WEIGHTS_FILE), written.bytes(),
                trainer.config().toMap(), tokenizerId));
        Log.infof("checkpoint step %d written to %s in %.0f ms", written.step(), written.dir(),
                (System.nanoTime() - started) / 1e6);
        return written;
    }

    static Map<String, String> encode(Map<TopicPartition, Long> offsets) {
        Map<String, String> metadata = new HashMap<>();
        offsets.forEach((tp, offset) -> metadata.put(OFFSET + tp.topic() + "-" + tp.partition(), Long.toString(offset)));
        return metadata;
    }

    static Map<TopicPartition, Long> decode(Map<String, String> metadata) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        metadata.forEach((key, value) -> {
            if (key.startsWith(OFFSET)) {
                String name = key.substring(OFFSET.length());
                int dash = name.lastIndexOf('-');
                offsets.put(new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1))),
                        Long.parseLong(value));
            }
        });
        return offsets;
    }
}
