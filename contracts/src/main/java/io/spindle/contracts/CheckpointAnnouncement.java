package io.spindle.contracts;

import java.util.Map;

/**
 * A checkpoint was written; {@code train.checkpoints} and {@code drafter.checkpoints} (compacted, key: run).
 *
 * @param schema      {@link Schema#V1}
 * @param run         run id
 * @param step        optimizer step the checkpoint holds
 * @param time        when it was written, epoch ms
 * @param uri         where it lives, e.g. {@code file:///data/checkpoints/run/step-000200}
 * @param sha256      hex digest of the checkpoint's weights file
 * @param bytes       size of the checkpoint on disk
 * @param modelConfig the model's hyper-parameters, enough to rebuild it
 * @param tokenizerId id of the tokenizer the model was trained with
 */
public record CheckpointAnnouncement(
        int schema,
        String run,
        long step,
        long time,
        String uri,
        String sha256,
        long bytes,
        Map<String, Object> modelConfig,
        String tokenizerId) {
}
