package io.spindle.model.speculative;

import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Speculative decoding on real DJL GPTs with KV caches: lossless against the target's own generation. */
class GptSpeculativeDecodingTest {

    static GptTrainer target;
    static GptTrainer drafter;

    @BeforeAll
    static void trainTwoModels() {
        target = new GptTrainer(new GptConfig(64, 48, 32, 2, 2), OptimizerConfig.defaults(100).withSeed(1));
        drafter = new GptTrainer(new GptConfig(64, 48, 16, 2, 1), OptimizerConfig.defaults(100).withSeed(2));
        int[] pattern = new int[4 * 17];
        for (int step = 0; step < 20; step++) {
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = 1 + (i * 7 + step) % 13;
            }
            target.trainStep(pattern, 4, 17);
            drafter.trainStep(pattern, 4, 17);
        }
    }

    @AfterAll
    static void close() {
        target.close();
        drafter.close();
    }

    @Test
    void greedySpeculativeOutputEqualsTheTargetsOwnGreedyGeneration() {
        try (GptTrainer.CachedModel t = target.cachedModel(); GptTrainer.CachedModel d = drafter.cachedModel()) {
            SpeculativeDecoder decoder = new SpeculativeDecoder(t, d);
            Random prompts = new Random(5);
            long accepted = 0;
            for (int trial = 0; trial < 8; trial++) {
                int[] prompt = prompts.ints(1 + prompts.nextInt(4), 1, 64).toArray();
                int[] reference = target.generate(prompt, 24, 0f, 0);
                int[] expected = java.util.Arrays.copyOfRange(reference, prompt.length, reference.length);
                SpeculativeDecoder.Result result = decoder.generate(prompt, 24, 0f, 1 + trial % 5, new Random(0));
                assertArrayEquals(expected, result.tokens(), "prompt " + trial);
                accepted += result.accepted();
            }
            assertTrue(accepted > 0, "a drafter trained on the same data gets drafts accepted");
        }
    }

    @Test
    void truncateRollsTheCacheBackExactly() {
        try (GptTrainer.CachedModel model = target.cachedModel()) {
            float[] direct = model.append(new int[] {3, 5, 7})[2];
            model.truncate(1);
            assertEquals(1, model.length());
            float[] again = model.append(new int[] {5, 7})[1];
            assertArrayEquals(direct, again, 1e-5f);
        }
    }
}
