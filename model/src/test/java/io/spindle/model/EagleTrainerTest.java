package io.spindle.model;

import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.model.speculative.SpeculativeDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EAGLE drafter on real DJL GPTs: it learns the target's features, and decoding with it stays lossless. */
class EagleTrainerTest {

    private static final GptConfig SHAPE = new GptConfig(64, 48, 32, 2, 2);
    private static final int ROWS = 4;
    private static final int ROW_LENGTH = 17;

    static GptTrainer target;
    static EagleTrainer eagle;
    static float firstLoss;
    static float lastLoss;

    /** A learnable stream: each row walks the ids with a stride, from a random start. */
    static int[] batch(int step) {
        Random random = new Random(step);
        int[] tokens = new int[ROWS * ROW_LENGTH];
        for (int r = 0; r < ROWS; r++) {
            int start = random.nextInt(SHAPE.vocabSize());
            for (int i = 0; i < ROW_LENGTH; i++) {
                tokens[r * ROW_LENGTH + i] = (start + 7 * i) % 53;
            }
        }
        return tokens;
    }

    /** A brisk schedule: these models are tiny and the stream is easy. */
    static OptimizerConfig optimizer(long seed) {
        return new OptimizerConfig(1e-2f, 1e-3f, 5, 100, 0f, 0.9f, 0.95f, 1e-8f, 1f, seed);
    }

    @BeforeAll
    static void trainTargetThenDrafter() {
        target = new GptTrainer(SHAPE, optimizer(1));
        for (int step = 0; step < 80; step++) {
            target.trainStep(batch(step), ROWS, ROW_LENGTH);
        }
        eagle = new EagleTrainer(target, optimizer(2));
        for (int step = 0; step < 80; step++) {
            float loss = eagle.trainStep(batch(1000 + step), ROWS, ROW_LENGTH).loss();
            if (step == 0) {
                firstLoss = loss;
            }
            lastLoss = loss;
        }
    }

    @AfterAll
    static void close() {
        eagle.close();
        target.close();
    }

    @Test
    void theDrafterLearnsTheTargetsFeatures() {
        // The floor is not 0: the cross-entropy half is bounded below by the entropy of the target's softmax.
        assertTrue(Float.isFinite(firstLoss) && lastLoss < 0.75f * firstLoss,
                "loss should fall by a quarter at least: " + firstLoss + " -> " + lastLoss);
        assertEquals(80, eagle.step());
    }

    @Test
    void greedyDecodingWithTheEagleDrafterEqualsTheTargetsOwnOnManyPrompts() {
        try (GptTrainer.CachedModel t = target.cachedModel(); EagleTrainer.CachedDrafter d = eagle.drafter(SHAPE.vocabSize())) {
            SpeculativeDecoder decoder = new SpeculativeDecoder(t, d);
            Random prompts = new Random(5);
            long accepted = 0;
            long drafted = 0;
            for (int trial = 0; trial < 12; trial++) {
                int[] prompt = prompts.ints(1 + prompts.nextInt(6), 0, SHAPE.vocabSize()).toArray();
                int[] expected = targetOnly(prompt, 30);
                SpeculativeDecoder.Result result = decoder.generate(prompt, 30, 0f, 1 + trial % 6, new Random(0));
                assertArrayEquals(expected, result.tokens(), "prompt " + Arrays.toString(prompt));
                accepted += result.accepted();
                drafted += result.drafted();
            }
            assertTrue(accepted > drafted / 2, "a trained drafter gets most drafts accepted: " + accepted + "/" + drafted);
        }
    }

    @Test
    void aSmallDraftVocabularyAndAnAdaptiveDraftLengthStayLossless() {
        DraftLengthBandit bandit = new DraftLengthBandit(new int[] {1, 2, 4, 6}, 0.1, 3);
        try (GptTrainer.CachedModel t = target.cachedModel(); EagleTrainer.CachedDrafter d = eagle.drafter(8)) {
            SpeculativeDecoder decoder = new SpeculativeDecoder(t, d);
            for (int trial = 0; trial < 8; trial++) {
                int[] prompt = {trial, (trial * 5) % 53};
                SpeculativeDecoder.Result result = decoder.generate(prompt, 25, 0f, bandit.policy(1), new Random(trial));
                assertArrayEquals(targetOnly(prompt, 25), result.tokens());
            }
        }
    }

    @Test
    void theDraftVocabularyHoldsTheMostFrequentTokens() {
        int[] vocabulary = eagle.draftVocabulary(53);
        // batch() only ever emits ids below 53, so those are exactly the ones seen.
        assertArrayEquals(java.util.stream.IntStream.range(0, 53).toArray(), vocabulary);
        assertEquals(SHAPE.vocabSize(), eagle.draftVocabulary(1000).length);
    }

    @Test
    void aSavedDrafterResumesExactly(@TempDir Path dir) {
        eagle.save(dir);
        try (EagleTrainer loaded = EagleTrainer.load(dir, target, optimizer(2))) {
            assertEquals(eagle.step(), loaded.step());
            assertArrayEquals(eagle.draftVocabulary(10), loaded.draftVocabulary(10));
            try (EagleTrainer.CachedDrafter a = eagle.drafter(); EagleTrainer.CachedDrafter b = loaded.drafter()) {
                float[][] features = new float[3][SHAPE.dModel()];
                features[1][0] = 1f;
                assertArrayEquals(a.start(new int[] {1, 2, 3}, features, 4), b.start(new int[] {1, 2, 3}, features, 4), 1e-6f);
            }
        }
    }

    @Test
    void aStepGivenUpMidwayChangesNothing(@TempDir Path dir) {
        eagle.save(dir);
        try (EagleTrainer interrupted = EagleTrainer.load(dir, target, optimizer(2));
             EagleTrainer uninterrupted = EagleTrainer.load(dir, target, optimizer(2))) {
            int[] asked = {0};
            assertTrue(interrupted.trainStep(batch(2000), ROWS, ROW_LENGTH, () -> false).isEmpty(),
                    "given up after the target's features");
            assertTrue(interrupted.trainStep(batch(2000), ROWS, ROW_LENGTH, () -> asked[0]++ < 1).isEmpty(),
                    "given up after the loss, before any gradient");
            asked[0] = 0;
            assertTrue(interrupted.trainStep(batch(2000), ROWS, ROW_LENGTH, () -> asked[0]++ < 2).isEmpty(),
                    "given up after the backward pass, its gradients discarded");
            assertEquals(3, asked[0]);
            assertEquals(uninterrupted.step(), interrupted.step());
            for (int step = 2000; step < 2002; step++) {
                assertEquals(uninterrupted.trainStep(batch(step), ROWS, ROW_LENGTH).loss(),
                        interrupted.trainStep(batch(step), ROWS, ROW_LENGTH).loss(), "step " + step + ": same weights, same optimizer");
            }
        }
    }

    @Test
    void aDrafterRefusesATargetOfAnotherShape(@TempDir Path dir) {
        eagle.save(dir);
        try (GptTrainer other = new GptTrainer(new GptConfig(64, 48, 16, 2, 2), OptimizerConfig.defaults(10))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EagleTrainer.load(dir, other, OptimizerConfig.defaults(10)));
            assertTrue(e.getMessage().contains("trained for target"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> eagle.retarget(other));
        }
    }

    private static int[] targetOnly(int[] prompt, int newTokens) {
        int[] generated = target.generate(prompt, newTokens, 0f, 0);
        return Arrays.copyOfRange(generated, prompt.length, generated.length);
    }
}
