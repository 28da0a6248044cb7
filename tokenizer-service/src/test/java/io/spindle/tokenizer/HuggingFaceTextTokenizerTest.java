package io.spindle.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuggingFaceTextTokenizerTest {

    private static final Path SAMPLE = Path.of("../samples/tokenizer.json");

    @Test
    void longDocumentsAreNeverTruncated() {
        try (TextTokenizer tokenizer = new HuggingFaceTextTokenizer(SAMPLE, "<|endoftext|>")) {
            String text = "The harbour master counted the boats again. ".repeat(400);
            int[] ids = tokenizer.encode(text);
            assertTrue(ids.length > 2000, "a long document keeps all its tokens, got " + ids.length);
            assertEquals(0, tokenizer.eosId());
            assertTrue(tokenizer.id().startsWith("tokenizer.json@"));
        }
    }

    @Test
    void aMissingFileOrAMultiTokenEosFailsNamingTheKey() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new HuggingFaceTextTokenizer(Path.of("nope.json"), "<|endoftext|>"));
        assertTrue(missing.getMessage().contains("spindle.tokenizer.path"));
        IllegalArgumentException eos = assertThrows(IllegalArgumentException.class,
                () -> new HuggingFaceTextTokenizer(SAMPLE, "not a single token"));
        assertTrue(eos.getMessage().contains("spindle.tokenizer.eos-token"));
    }
}
