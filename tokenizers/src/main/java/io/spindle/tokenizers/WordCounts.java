package io.spindle.tokenizers;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How often each pre-tokenized piece ("word") occurs. BPE training only needs these counts, not
 * the text, which is why a corpus of gigabytes can be trained on in memory: the number of distinct
 * pieces grows far more slowly than the text.
 */
public final class WordCounts {

    private final PreTokenizerPattern pattern;
    private final Map<String, long[]> counts = new HashMap<>();
    private long pieces;

    public WordCounts(PreTokenizerPattern pattern) {
        this.pattern = pattern;
    }

    /** Pre-tokenizes one document (or one chunk of a larger one) and counts its pieces. */
    public void add(String text) {
        pattern.forEachPiece(text, this::addPiece);
    }

    private void addPiece(String piece) {
        pieces++;
        counts.computeIfAbsent(piece, k -> new long[1])[0]++;
    }

    public PreTokenizerPattern pattern() {
        return pattern;
    }

    /** Pieces seen so far, with repeats. */
    public long pieces() {
        return pieces;
    }

    public int distinctWords() {
        return counts.size();
    }

    /** Visits every distinct piece with its count, in no particular order. */
    public void forEach(BiConsumer<String, Long> visitor) {
        counts.forEach((word, count) -> visitor.accept(word, count[0]));
    }
}
