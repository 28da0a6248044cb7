package io.spindle.model.speculative;

/**
 * The cheap model that proposes tokens for the target to check. Its context has two parts: a committed
 * prefix (tokens the target has accepted, with the target's features at the positions before them) and
 * speculative tokens drafted on top of it, which {@link #commit} throws away.
 *
 * <p>Every method returns logits over the whole vocabulary for the token after the last one fed; a
 * drafter that only proposes from part of the vocabulary gives the rest {@code -Infinity}.
 */
public interface Drafter {

    int vocabSize();

    /**
     * Starts a generation. {@code promptFeatures[i]} is the target's feature at prompt position i, and
     * {@code first} the token the target chose after the prompt.
     */
    float[] start(int[] prompt, float[][] promptFeatures, int first);

    /** Feeds a token the drafter itself proposed (no target feature exists for it yet). */
    float[] draft(int token);

    /**
     * Drops every drafted token, then commits {@code tokens}: {@code features[i]} is the target's feature
     * at the position just before {@code tokens[i]}.
     */
    float[] commit(int[] tokens, float[][] features);
}
