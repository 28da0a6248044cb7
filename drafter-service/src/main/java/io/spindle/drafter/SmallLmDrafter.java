package io.spindle.drafter;

import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import io.spindle.model.speculative.SpeculativeDecoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.Random;

/**
 * The baseline drafter of the design: a small GPT trained on the same token stream as the target. The
 * EAGLE-style drafter (one layer over the target's hidden states) plugs in behind {@link DrafterModel}.
 */
public final class SmallLmDrafter implements DrafterModel {

    private final GptTrainer trainer;

    public SmallLmDrafter(GptConfig config, OptimizerConfig optimizer, Path resumeFrom) {
        this.trainer = resumeFrom != null && Files.isDirectory(resumeFrom)
                ? GptTrainer.load(resumeFrom, optimizer)
                : new GptTrainer(config, optimizer);
    }

    /** A small GPT's step is short and not cut: {@code keepGoing} is not asked. */
    @Override
    public Optional<Float> trainStep(int[] tokens, int rows, int rowLength, BooleanSupplier keepGoing) {
        return Optional.of(trainer.trainStep(tokens, rows, rowLength).loss());
    }

    /** A throwaway twin takes the step, so this drafter's weights, moments and step count stay untouched. */
    @Override
    public void warmUp(int rows, int rowLength) {
        try (GptTrainer twin = new GptTrainer(trainer.config(), trainer.optimizerConfig())) {
            twin.trainStep(new int[rows * rowLength], rows, rowLength);
        }
    }

    @Override
    public long steps() {
        return trainer.step();
    }

    @Override
    public int contextLength() {
        return trainer.config().contextLength();
    }

    @Override
    public int vocabSize() {
        return trainer.config().vocabSize();
    }

    @Override
    public SpeculativeDecoder.Result speculate(GptTrainer target, int[] prompt, int maxNewTokens, float temperature,
                                               SpeculativeDecoder.DraftLengthPolicy policy, Random random) {
        try (GptTrainer.CachedModel verifier = target.cachedModel(); GptTrainer.CachedModel drafts = trainer.cachedModel()) {
            return new SpeculativeDecoder(verifier, drafts).generate(prompt, maxNewTokens, temperature, policy, random);
        }
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
