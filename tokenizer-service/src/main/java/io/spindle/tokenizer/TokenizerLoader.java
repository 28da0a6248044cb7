package io.spindle.tokenizer;

import io.quarkus.logging.Log;
import io.spindle.tokenizers.BpeVocabulary;
import io.spindle.tokenizers.ProbeTexts;
import io.spindle.tokenizers.TokenizerJsonReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Picks the encoder for {@code spindle.tokenizer.path}: JTokkit for {@code tiktoken:NAME}; for a
 * tokenizer.json, Spindle's byte-level BPE fast path when {@link TokenizerJsonReader} accepts the file and
 * the fast path gives DJL's ids on every probe text, else DJL itself.
 */
public final class TokenizerLoader {

    /** Edge cases, long runs and random mixes (see {@link ProbeTexts}), compared at every start. */
    static final List<String> STARTUP_PROBES = ProbeTexts.all(20_240_601L, 300);

    private TokenizerLoader() {
    }

    public static TextTokenizer load(String spec, String eosToken, TokenizerServiceConfig.FastPath fastPath) {
        if (spec.startsWith(TiktokenTextTokenizer.PREFIX)) {
            return new TiktokenTextTokenizer(spec.substring(TiktokenTextTokenizer.PREFIX.length()), eosToken);
        }
        Path file = Path.of(spec);
        HuggingFaceTextTokenizer djl = new HuggingFaceTextTokenizer(file, eosToken);
        if (fastPath == TokenizerServiceConfig.FastPath.OFF) {
            return djl;
        }
        Optional<String> refusal;
        TextTokenizer fast = null;
        try {
            BpeVocabulary vocabulary = TokenizerJsonReader.read(file);
            fast = new FastBpeTextTokenizer(vocabulary, djl.eosId(), djl.id());
            refusal = FastBpeTextTokenizer.firstDifference(djl, fast, STARTUP_PROBES);
        } catch (IOException | IllegalArgumentException e) {
            refusal = Optional.of(e.getMessage());
        }
        if (refusal.isEmpty()) {
            Log.infof("fast byte-level BPE path: same ids as DJL on %d probe texts", STARTUP_PROBES.size());
            djl.close();
            return fast;
        }
        if (fastPath == TokenizerServiceConfig.FastPath.REQUIRED) {
            djl.close();
            throw new IllegalArgumentException("spindle.tokenizer.fast-path=required, but " + file + " cannot take it: "
                    + refusal.get());
        }
        Log.infof("tokenizing with DJL; the fast path does not apply to %s: %s", file, refusal.get());
        return djl;
    }
}
