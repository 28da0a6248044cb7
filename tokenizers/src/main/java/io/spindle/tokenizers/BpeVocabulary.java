package io.spindle.tokenizers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained byte-level BPE tokenizer: what {@link TokenizerJsonWriter} writes and
 * {@link TokenizerJsonReader} reads back.
 *
 * @param pattern       the pre-tokenizer regex the merges were learned under
 * @param tokens        token text by id: special tokens as their literal text, every other token
 *                      as its byte-level string (see {@link ByteLevelAlphabet})
 * @param merges        merges in rank order (rank 0 is applied first)
 * @param specialTokens special (added) token text to id
 * @param ignoreMerges  Hugging Face's {@code ignore_merges} (Llama 3 sets it): a piece that is itself a
 *                      token becomes that token without merging
 */
public record BpeVocabulary(PreTokenizerPattern pattern, List<String> tokens, List<Merge> merges,
                            Map<String, Integer> specialTokens, boolean ignoreMerges) {

    /** One learned merge: the adjacent tokens {@code left}, {@code right} become {@code result}. */
    public record Merge(int left, int right, int result) {
    }

    public BpeVocabulary {
        Objects.requireNonNull(pattern, "pattern");
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        specialTokens = Map.copyOf(specialTokens);
    }

    /** A vocabulary as Spindle trains it: merges always apply. */
    public BpeVocabulary(PreTokenizerPattern pattern, List<String> tokens, List<Merge> merges,
                         Map<String, Integer> specialTokens) {
        this(pattern, tokens, merges, specialTokens, false);
    }

    public int size() {
        return tokens.size();
    }

    public String token(int id) {
        return tokens.get(id);
    }

    public boolean isSpecial(int id) {
        Integer special = specialTokens.get(tokens.get(id));
        return special != null && special == id;
    }

    /** Token text to id; built on demand because only readers and encoders need it. */
    public Map<String, Integer> idsByToken() {
        Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
        for (int id = 0; id < tokens.size(); id++) {
            ids.putIfAbsent(tokens.get(id), id);
        }
        return ids;
    }
}
