package io.spindle.drafter;

import io.spindle.model.GptTrainer;
import io.spindle.model.speculative.SpeculativeDecoder;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * What the spot trainer trains in idle windows. Each {@link #trainStep} is one short, bounded unit of work
 * (a slice of a batch's rows), so the trainer can yield within one step of a BUSY, or sooner where the
 * drafter can give a step up midway.
 */
public interface DrafterModel extends AutoCloseable {

    /**
     * Trains one optimizer step on {@code rows} rows of {@code rowLength} = T+1 tokens; returns its loss. A
     * drafter may check {@code keepGoing} within the step and give it up, changing nothing: empty then.
     */
    Optional<Float> trainStep(int[] tokens, int rows, int rowLength, BooleanSupplier keepGoing);

    /**
     * Pays every one-time cost (natives, kernel selection, allocator growth, JIT) on a step of this shape,
     * without changing this drafter's weights or optimizer state, so the first idle window runs at full speed.
     */
    void warmUp(int rows, int rowLength);

    long steps();

    /** Whether it can train and draft now (a drafter built over the target waits for the first target). */
    default boolean ready() {
        return true;
    }

    /** Longest context T it trains on and drafts in (rows are T+1 tokens). */
    int contextLength();

    int vocabSize();

    /** A newer target checkpoint was loaded; a drafter that learns from the target's states switches to it. */
    default void retarget(GptTrainer target) {
    }

    /** Speculative decoding of {@code prompt} with this drafter proposing and {@code target} verifying. */
    SpeculativeDecoder.Result speculate(GptTrainer target, int[] prompt, int maxNewTokens, float temperature,
                                        SpeculativeDecoder.DraftLengthPolicy policy, Random random);

    /** Saves weights and optimizer progress into {@code dir}; returns the main weights file. */
    Path save(Path dir);

    /** Hyper-parameters, for checkpoint announcements. */
    Map<String, Object> config();

    @Override
    void close();
}
