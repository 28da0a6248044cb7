package io.spindle.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.Arrays;
import java.util.Map;

/**
 * A tiktoken encoding through JTokkit, chosen with {@code spindle.tokenizer.path=tiktoken:NAME}. Text is
 * encoded as ordinary text: a document that contains {@code <|endoftext|>} gets that string's ordinary
 * tokens, so documents cannot forge document boundaries. JTokkit is thread-safe.
 */
public final class TiktokenTextTokenizer implements TextTokenizer {

    public static final String PREFIX = "tiktoken:";

    /** The end-of-text id of each encoding (tiktoken's special_tokens). */
    private static final Map<EncodingType, Integer> END_OF_TEXT = Map.of(
            EncodingType.R50K_BASE, 50256,
            EncodingType.P50K_BASE, 50256,
            EncodingType.P50K_EDIT, 50256,
            EncodingType.CL100K_BASE, 100257,
            EncodingType.O200K_BASE, 199999);

    private final Encoding encoding;
    private final int eosId;
    private final String id;

    /** @param name e.g. {@code cl100k_base} */
    public TiktokenTextTokenizer(String name, String eosToken) {
        EncodingType type = EncodingType.fromName(name).orElseThrow(() -> new IllegalArgumentException(
                "spindle.tokenizer.path: unknown tiktoken encoding '" + name + "', expected one of "
                        + Arrays.stream(EncodingType.values()).map(EncodingType::getName).toList()));
        if (!"<|endoftext|>".equals(eosToken)) {
            throw new IllegalArgumentException("spindle.tokenizer.eos-token: tiktoken encodings end documents with "
                    + "<|endoftext|>, not '" + eosToken + "'");
        }
        this.encoding = Encodings.newDefaultEncodingRegistry().getEncoding(type);
        this.eosId = END_OF_TEXT.get(type);
        this.id = PREFIX + type.getName();
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
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
        // nothing to free
    }
}
