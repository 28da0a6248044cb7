package io.spindle.model.speculative;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A real (tiny) language model for testing the decoding algorithm exactly: next-token logits depend on the
 * last token only, from a seeded table. A drafter is the same table plus noise.
 */
final class BigramModel implements LanguageModel {

    private final float[][] logits;
    private final List<Integer> context = new ArrayList<>();

    BigramModel(float[][] logits) {
        this.logits = logits;
    }

    static BigramModel random(int vocab, long seed, float sharpness) {
        Random random = new Random(seed);
        float[][] table = new float[vocab][vocab];
        for (float[] row : table) {
            for (int j = 0; j < vocab; j++) {
                row[j] = (float) random.nextGaussian() * sharpness;
            }
        }
        return new BigramModel(table);
    }

    /** This model's table with Gaussian noise added: a drafter that mostly agrees with it. */
    BigramModel noisy(float noise, long seed) {
        Random random = new Random(seed);
        float[][] table = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            table[i] = logits[i].clone();
            for (int j = 0; j < table[i].length; j++) {
                table[i][j] += (float) random.nextGaussian() * noise;
            }
        }
        return new BigramModel(table);
    }

    double[] probabilities(int previous, float temperature) {
        return Distributions.probabilities(logits[previous], temperature);
    }

    @Override
    public int vocabSize() {
        return logits.length;
    }

    @Override
    public float[][] append(int[] tokens) {
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            context.add(tokens[i]);
            out[i] = logits[tokens[i]].clone();
        }
        return out;
    }

    @Override
    public void truncate(int length) {
        while (context.size() > length) {
            context.remove(context.size() - 1);
        }
    }

    @Override
    public int length() {
        return context.size();
    }
}
