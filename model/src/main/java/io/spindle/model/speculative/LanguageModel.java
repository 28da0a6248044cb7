package io.spindle.model.speculative;

/**
 * A causal language model as speculative decoding sees it: a growing context whose keys and values are
 * cached, next-token logits after each appended token, and a rollback for rejected drafts. The target and
 * the drafter both implement it.
 */
public interface LanguageModel {

    int vocabSize();

    /** Appends {@code tokens} to the context; returns the next-token logits after each of them: (n, V). */
    float[][] append(int[] tokens);

    /** Forgets every position from {@code length} on, as if they had never been appended. */
    void truncate(int length);

    /** Tokens in the context now. */
    int length();

    /** Empties the context. */
    default void reset() {
        truncate(0);
    }
}
