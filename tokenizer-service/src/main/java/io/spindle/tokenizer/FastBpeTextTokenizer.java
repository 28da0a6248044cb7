package io.spindle.tokenizer;

import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.BpeVocabulary;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The fast path: Spindle's byte-level BPE encoder ({@code tokenizers} module) for a tokenizer.json it
 * understands. It only replaces DJL after proving, at start-up, that it gives DJL's ids on every probe
 * text ({@link #firstDifference}).
 */
public final class FastBpeTextTokenizer implements TextTokenizer {

    private final ByteLevelBpeEncoder shared;
    /** The encoder caches pieces, so each stream thread gets its own over the shared tables. */
    private final ThreadLocal<ByteLevelBpeEncoder> perThread;
    private final int eosId;
    private final String id;

    public FastBpeTextTokenizer(BpeVocabulary vocabulary, int eosId, String id) {
        this.shared = new ByteLevelBpeEncoder(vocabulary);
        this.perThread = ThreadLocal.withInitial(shared::forAnotherThread);
        this.eosId = eosId;
        this.id = id;
    }

    @Override
    public int[] encode(String text) {
        return perThread.get().encode(text);
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        // nothing native to free
    }

    /** The first text on which the two tokenizers disagree, described, or empty when they agree on all. */
    public static Optional<String> firstDifference(TextTokenizer expected, TextTokenizer actual, List<String> texts) {
        for (String text : texts) {
            int[] want = expected.encode(text);
            int[] got = actual.encode(text);
            if (!Arrays.equals(want, got)) {
                String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
                return Optional.of("ids differ on \"" + shown + "\" (" + text.length() + " chars): expected "
                        + abbreviate(want) + ", got " + abbreviate(got));
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(int[] ids) {
        return ids.length > 20 ? Arrays.toString(Arrays.copyOf(ids, 20)) + "... (" + ids.length + ")" : Arrays.toString(ids);
    }
}
