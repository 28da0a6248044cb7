package io.spindle.model.speculative;

/**
 * The model speculative decoding must reproduce, as a {@link LanguageModel} that also shows its last hidden
 * state ("features") at each position it was fed: an EAGLE-style drafter drafts from them.
 */
public interface TargetModel extends LanguageModel {

    /**
     * Features of the positions fed by the last {@link #append}, one row of width C per token, in order.
     * A target without features (a toy model in a test) returns rows of length 0.
     */
    float[][] lastFeatures();

    /** A target that has no features to share: every drafter that needs none works with it. */
    static TargetModel withoutFeatures(LanguageModel model) {
        return new TargetModel() {
            private int lastFed;

            @Override
            public float[][] lastFeatures() {
                return new float[lastFed][0];
            }

            @Override
            public int vocabSize() {
                return model.vocabSize();
            }

            @Override
            public float[][] append(int[] tokens) {
                lastFed = tokens.length;
                return model.append(tokens);
            }

            @Override
            public void truncate(int length) {
                model.truncate(length);
            }

            @Override
            public int length() {
                return model.length();
            }
        };
    }
}
