package io.spindle.model.speculative;

import java.util.Arrays;

/** Any {@link LanguageModel} as a {@link Drafter}: a small LM that drafts from tokens alone. */
public final class LanguageModelDrafter implements Drafter {

    private final LanguageModel model;
    private int committed;

    public LanguageModelDrafter(LanguageModel model) {
        this.model = model;
    }

    @Override
    public int vocabSize() {
        return model.vocabSize();
    }

    @Override
    public float[] start(int[] prompt, float[][] promptFeatures, int first) {
        model.reset();
        int[] context = Arrays.copyOf(prompt, prompt.length + 1);
        context[prompt.length] = first;
        committed = context.length;
        return last(model.append(context));
    }

    @Override
    public float[] draft(int token) {
        return last(model.append(new int[] {token}));
    }

    @Override
    public float[] commit(int[] tokens, float[][] features) {
        model.truncate(committed);
        committed += tokens.length;
        return last(model.append(tokens));
    }

    private static float[] last(float[][] rows) {
        return rows[rows.length - 1];
    }
}
