package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptTrainerTest {

    private static final GptConfig TINY = new GptConfig(32, 16, 32, 4, 2);
    private static final OptimizerConfig OPTIM =
            new OptimizerConfig(3e-3f, 3e-4f, 5, 60, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f, 7);

    /** Rows of a period-7 cycle, each starting at a different phase: easy to learn, hard to guess. */
    private static int[] cyclicRows(int rows, int rowLength) {
        int[] tokens = new int[rows * rowLength];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < rowLength; i++) {
                tokens[r * rowLength + i] = 3 + (r + i) % 7;
            }
        }
        return tokens;
    }

    private static int[] randomTokens(int count, int vocab, long seed) {
        java.util.Random random = new java.util.Random(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    @Test
    void parameterCountMatchesTheBlock() {
        for (GptConfig config : new GptConfig[] {TINY, new GptConfig(37, 9, 24, 3, 3, 2)}) {
            try (GptTrainer trainer = new GptTrainer(config, OPTIM)) {
                long real = trainer.gpt().getParameters().values().stream()
                        .mapToLong(p -> p.getArray().size()).sum();
                assertEquals(config.parameterCount(), real, config.toString());
            }
        }
    }

    @Test
    void onlyMatmulWeightsDecay() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            Gpt gpt = trainer.gpt();
            var decayed = gpt.getParameters().values().stream().filter(gpt::isDecayed).toList();
            assertEquals(4 * TINY.nLayers(), decayed.size()); // qkv, projection, up, down
            assertTrue(decayed.stream().allMatch(p -> p.getShape().dimension() == 2
                    && p.getType() == Parameter.Type.WEIGHT));
        }
    }

    @Test
    void logitsHaveShapeBTV() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            assertEquals(3 * 5 * 32, trainer.logits(randomTokens(15, 32, 1), 3, 5).length);
            assertEquals(2 * 16 * 32, trainer.logits(randomTokens(32, 32, 2), 2, 16).length);
            assertThrows(IllegalArgumentException.class, () -> trainer.logits(new int[17], 1, 17));
            assertThrows(IllegalArgumentException.class, () -> trainer.logits(new int[] {1, 32}, 1, 2));
        }
    }

    @Test
    void futureTokensDoNotChangeEarlierLogits() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            int t = 12;
            int changed = 7;
            int[] tokens = randomTokens(t, 32, 3);
            int[] altered = tokens.clone();
            altered[changed] = (altered[changed] + 5) % 32;
            float[] before = trainer.logits(tokens, 1, t);
            float[] after = trainer.logits(altered, 1, t);
            int v = TINY.vocabSize();
            assertArrayEquals(Arrays.copyOf(before, changed * v), Arrays.copyOf(after, changed * v));
            assertFalse(Arrays.equals(Arrays.copyOfRange(before, changed * v, (changed + 1) * v),
                    Arrays.copyOfRange(after, changed * v, (changed + 1) * v)));
        }
    }

    @Test
    void sameSeedSameModel() {
        int[] batch = randomTokens(4 * 17, 32, 4);
        float first;
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            first = trainer.evalLoss(batch, 4, 17);
        }
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            assertEquals(first, trainer.evalLoss(batch, 4, 17));
        }
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM.withSeed(8))) {
            assertNotEquals(first, trainer.evalLoss(batch, 4, 17));
        }
        // Untrained, the model should be close to uniform over the vocabulary.
        assertEquals(Math.log(32), first, 0.3);
    }

    @Test
    void lossFallsOnARepetitiveSequence() {
        int[] batch = cyclicRows(8, 17);
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            float initial = trainer.evalLoss(batch, 8, 17);
            GptTrainer.StepResult last = null;
            for (int i = 0; i < 50; i++) {
                last = trainer.trainStep(batch, 8, 17);
                assertTrue(Float.isFinite(last.loss()) && last.gradNorm() > 0, last.toString());
            }
            assertEquals(50, last.step());
            assertEquals(50, trainer.step());
            assertEquals(OPTIM.learningRate(49), last.lr());
            float trained = trainer.evalLoss(batch, 8, 17);
            assertTrue(trained < 0.2f * initial, "loss " + initial + " -> " + trained);
        }
    }

    @Test
    void gradNormIsReportedBeforeClipping() {
        int[] batch = randomTokens(4 * 17, 32, 5);
        OptimizerConfig tightClip =
                new OptimizerConfig(3e-3f, 3e-4f, 5, 60, 0.1f, 0.9f, 0.95f, 1e-8f, 1e-3f, 7);
        OptimizerConfig noClip = new OptimizerConfig(3e-3f, 3e-4f, 5, 60, 0.1f, 0.9f, 0.95f, 1e-8f, 0f, 7);
        try (GptTrainer clipped = new GptTrainer(TINY, tightClip);
                GptTrainer free = new GptTrainer(TINY, noClip)) {
            GptTrainer.StepResult a = clipped.trainStep(batch, 4, 17);
            GptTrainer.StepResult b = free.trainStep(batch, 4, 17);
            assertEquals(b.gradNorm(), a.gradNorm(), 1e-6f * b.gradNorm());
            assertTrue(a.gradNorm() > 1e-3f * 10, "norm " + a.gradNorm());
        }
    }

    @Test
    void stepsDoNotLeakArrays() {
        int[] batch = randomTokens(2 * 17, 32, 6);
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM);
                NDManager probe = NDManager.newBaseManager("PyTorch")) {
            NDManager root = probe.getParentManager(); // every model, trainer and step scope hangs off it
            trainer.trainStep(batch, 2, 17); // the first step creates the Adam moments
            trainer.evalLoss(batch, 2, 17);
            trainer.generate(new int[] {1, 2}, 2, 0.5f, 1);
            int live = root.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                trainer.trainStep(batch, 2, 17);
                trainer.evalLoss(batch, 2, 17);
                trainer.generate(new int[] {1, 2}, 2, 0.5f, 1);
            }
            assertEquals(live, root.getManagedArrays().size());
        }
    }

    @Test
    void saveAndLoadGiveIdenticalLogits(@TempDir Path dir) throws Exception {
        int[] batch = cyclicRows(4, 17);
        int[] probe = randomTokens(2 * 16, 32, 9);
        float[] expected;
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            trainer.trainStep(batch, 4, 17);
            trainer.trainStep(batch, 4, 17);
            expected = trainer.logits(probe, 2, 16);
            Path weights = trainer.save(dir);
            assertTrue(Files.size(weights) > 4 * TINY.parameterCount());
        }
        try (GptTrainer loaded = GptTrainer.load(dir, OPTIM.withSeed(99))) {
            assertEquals(TINY, loaded.config());
            assertEquals(2, loaded.step());
            assertArrayEquals(expected, loaded.logits(probe, 2, 16));
            GptTrainer.StepResult next = loaded.trainStep(batch, 4, 17);
            assertEquals(3, next.step());
            assertEquals(OPTIM.learningRate(2), next.lr());
        }
    }

    @Test
    void greedyGenerationIsDeterministic() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            int[] batch = cyclicRows(8, 17);
            for (int i = 0; i < 30; i++) {
                trainer.trainStep(batch, 8, 17);
            }
            int[] prompt = {3, 4, 5};
            int[] out = trainer.generate(prompt, 20, 0f, 1);
            assertEquals(23, out.length);
            assertArrayEquals(prompt, Arrays.copyOf(out, 3));
            assertArrayEquals(out, trainer.generate(prompt, 20, 0f, 2)); // seed unused when greedy
            // Longer than the context: only the last contextLength tokens are seen.
            int[] longPrompt = cyclicRows(1, 40);
            assertEquals(45, trainer.generate(longPrompt, 5, 0f, 1).length);
            assertEquals(3, trainer.generate(prompt, 0, 0f, 1).length);
        }
    }

    @Test
    void samplingIsSeeded() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            int[] prompt = {1};
            int[] a = trainer.generate(prompt, 12, 1.0f, 42);
            assertArrayEquals(a, trainer.generate(prompt, 12, 1.0f, 42));
            assertFalse(Arrays.equals(a, trainer.generate(prompt, 12, 1.0f, 43)));
            assertTrue(Arrays.stream(a).allMatch(t -> t >= 0 && t < 32));
        }
    }

    @Test
    void resumingFromASaveContinuesTheSameTrajectory(@TempDir Path dir) {
        int[] a = randomTokens(4 * 17, 32, 1);
        int[] b = randomTokens(4 * 17, 32, 2);
        float[] uninterrupted = new float[4];
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            trainer.trainStep(a, 4, 17);
            trainer.trainStep(b, 4, 17);
            trainer.save(dir);
            for (int i = 0; i < 4; i++) {
                uninterrupted[i] = trainer.trainStep(i % 2 == 0 ? a : b, 4, 17).loss();
            }
        }
        try (GptTrainer resumed = GptTrainer.load(dir, OPTIM)) {
            for (int i = 0; i < 4; i++) {
                GptTrainer.StepResult step = resumed.trainStep(i % 2 == 0 ? a : b, 4, 17);
                assertEquals(3 + i, step.step());
                // Bit-identical needs the moments and Adam's t: fresh moments change the very first update.
                assertEquals(uninterrupted[i], step.loss(), 1e-6f, "loss of resumed step " + step.step());
            }
        }
        try (GptTrainer weightsOnly = GptTrainer.load(dir, OPTIM)) {
            // Control: the same weights with optimizer state dropped take a different path.
            weightsOnly.resetOptimizerState();
            weightsOnly.trainStep(a, 4, 17);
            assertNotEquals(uninterrupted[1], weightsOnly.trainStep(b, 4, 17).loss());
        }
    }

    @Test
    void aTrainerSavedBeforeItsFirstStepLoadsAndTrainsTheSame(@TempDir Path dir) {
        int[] a = randomTokens(4 * 17, 32, 3);
        float fresh;
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            trainer.save(dir);
            fresh = trainer.trainStep(a, 4, 17).loss();
        }
        try (GptTrainer loaded = GptTrainer.load(dir, OPTIM)) {
            assertEquals(fresh, loaded.trainStep(a, 4, 17).loss(), 1e-6f);
        }
    }

    @Test
    void overflowingLossScaleSkipsTheStepAndBacksOff() {
        int[] batch = cyclicRows(4, 17);
        int[] probe = randomTokens(2 * 16, 32, 9);
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            // A scale near float's maximum makes loss x scale overflow: every gradient is inf/NaN.
            trainer.useLossScaler(LossScaler.dynamic(3e38f, 2000));
            float[] before = trainer.logits(probe, 2, 16);
            GptTrainer.StepResult skipped = trainer.trainStep(batch, 4, 17);
            assertTrue(skipped.skipped());
            assertEquals(3e38f, skipped.lossScale());
            assertArrayEquals(before, trainer.logits(probe, 2, 16), "a skipped step leaves the weights alone");
            assertEquals(1.5e38f, trainer.lossScaler().scale());

            trainer.useLossScaler(LossScaler.dynamic(1024f, 2000));
            GptTrainer.StepResult clean = trainer.trainStep(batch, 4, 17);
            assertFalse(clean.skipped());
            assertTrue(Float.isFinite(clean.gradNorm()));
            assertFalse(Arrays.equals(before, trainer.logits(probe, 2, 16)));
            assertTrue(Arrays.stream(boxed(trainer.logits(probe, 2, 16))).allMatch(Float::isFinite),
                    "NaN gradients of the skipped step did not leak into the next update");
        }
    }

    private static Float[] boxed(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Test
    void kvCachedGenerationIsIdenticalToUncached() {
        try (GptTrainer trainer = new GptTrainer(TINY, OPTIM)) {
            int[] batch = randomTokens(8 * 17, 32, 5);
            for (int i = 0; i < 10; i++) {
                trainer.trainStep(batch, 8, 17);
            }
            int[] prompt = {3, 4, 5, 6};
            // 30 new tokens on a context of 16: the window slides, so the cache is rebuilt on the way.
            assertArrayEquals(trainer.generate(prompt, 30, 0f, 1, false), trainer.generate(prompt, 30, 0f, 1, true));
            assertArrayEquals(trainer.generate(prompt, 30, 0.8f, 11, false), trainer.generate(prompt, 30, 0.8f, 11, true));
        }
    }
}
