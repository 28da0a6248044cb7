package io.spindle.drafter;

import io.spindle.contracts.batch.TokenBatch;
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The baseline drafter of the design: a small GPT trained on the same token stream as the target. The
 * EAGLE-style drafter (one layer over the target's hidden states) is the next step and plugs in behind
 * {@link DrafterModel}.
 */
public final class SmallLmDrafter implements DrafterModel {

    private final GptTrainer trainer;

    public SmallLmDrafter(GptConfig config, OptimizerConfig optimizer, Path resumeFrom) {
        this.trainer = resumeFrom != null && Files.isDirectory(resumeFrom)
                ? GptTrainer.load(resumeFrom, optimizer)
                : new GptTrainer(config, optimizer);
    }

    @Override
    public float trainStep(TokenBatch batch) {
        return trainer.trainStep(batch.tokens(), batch.rows(), batch.rowLength()).loss();
    }

    @Override
    public long steps() {
        return trainer.step();
    }

    @Override
    public Path save(Path dir) {
        return trainer.save(dir);
    }

    @Override
    public Map<String, Object> config() {
        return trainer.config().toMap();
    }

    @Override
    public void close() {
        trainer.close();
    }
}
