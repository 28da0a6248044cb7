package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run resumed from a checkpoint is the uninterrupted run, bit for bit: the same losses, and after the same
 * steps the same weights, AdamW moments and update counts. TrainerResumeIT's model, schedule and batches.
 */
class ResumeExactnessTest {

    private static final GptConfig MODEL = new GptConfig(64, 32, 32, 2, 1);
    private static final OptimizerConfig OPTIMIZER =
            new OptimizerConfig(3e-3f, 3e-4f, 5, 40, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f, 1337);
    private static final int ROWS = 4;
    private static final int ROW_LENGTH = 33;
    private static final int SAVED_AT = 10;
    private static final int TOTAL = 40;

    /** TrainerResumeIT's batch {@code seq}: a learnable cycle with noise, different for every seq. */
    private static int[] batch(int seq) {
        Random random = new Random(seq);
        int[] tokens = new int[ROWS * ROW_LENGTH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(5) == 0 ? random.nextInt(64) : (i + seq) % 11;
        }
        return tokens;
    }

    @Test
    void aResumedRunIsBitIdenticalToTheUninterruptedOne(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve("step-10");
        Path uninterruptedEnd = dir.resolve("uninterrupted-40");
        Path resumedEnd = dir.resolve("resumed-40");
        int[] uninterrupted = new int[TOTAL];
        int[] resumed = new int[TOTAL];
        try (GptTrainer trainer = new GptTrainer(MODEL, OPTIMIZER)) {
            for (int seq = 0; seq < TOTAL; seq++) {
                uninterrupted[seq] = Float.floatToRawIntBits(trainer.trainStep(batch(seq), ROWS, ROW_LENGTH).loss());
                if (seq + 1 == SAVED_AT) {
                    trainer.save(checkpoint);
                }
            }
            trainer.save(uninterruptedEnd);
        }
        try (GptTrainer trainer = GptTrainer.load(checkpoint, OPTIMIZER)) {
            for (int seq = SAVED_AT; seq < TOTAL; seq++) {
                resumed[seq] = Float.floatToRawIntBits(trainer.trainStep(batch(seq), ROWS, ROW_LENGTH).loss());
            }
            trainer.save(resumedEnd);
        }
        for (int seq = SAVED_AT; seq < TOTAL; seq++) {
            assertEquals(uninterrupted[seq], resumed[seq], "loss bits of step " + (seq + 1));
        }
        Map<String, float[]> expected = state(uninterruptedEnd);
        Map<String, float[]> actual = state(resumedEnd);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, values) -> assertArrayEquals(values, actual.get(name), name));
        assertEquals(trainingCounters(uninterruptedEnd), trainingCounters(resumedEnd));
    }

    /** Every parameter ({@code param/<name>}) and both AdamW moments ({@code mean/..}, {@code variance/..}). */
    private static Map<String, float[]> state(Path dir) throws IOException {
        Map<String, float[]> state = new TreeMap<>();
        try (GptTrainer trainer = GptTrainer.load(dir, OPTIMIZER)) {
            trainer.gpt().getParameters().forEach(p -> state.put("param/" + p.getKey(), p.getValue().getArray().toFloatArray()));
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             InputStream in = Files.newInputStream(dir.resolve("optimizer.ndlist"))) {
            for (NDArray moment : NDList.decode(manager, in)) {
                state.put(moment.getName(), moment.toFloatArray());
            }
        }
        return state;
    }

    /** Step, Adam's per-parameter update counts, loss-scaler and random-stream state. */
    private static Map<String, String> trainingCounters(Path dir) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve("gpt.properties"))) {
            properties.load(reader);
        }
        Map<String, String> counters = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> counters.put(key, properties.getProperty(key)));
        return counters;
    }
}
