package io.spindle.tokenizer;

import io.spindle.tokenizer.TokenizerServiceConfig.FastPath;
import io.spindle.tokenizers.ProbeTexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which encoder the service picks, and that the fast path gives DJL's ids wherever it is picked. */
class TokenizerLoaderTest {

    static final String SAMPLE = "../samples/tokenizer.json";
    static final String EOS = "<|endoftext|>";

    @Test
    void theSampleVocabularyTakesTheFastPathWithDjlsIds() {
        try (TextTokenizer fast = TokenizerLoader.load(SAMPLE, EOS, FastPath.AUTO);
             TextTokenizer djl = TokenizerLoader.load(SAMPLE, EOS, FastPath.OFF)) {
            assertInstanceOf(FastBpeTextTokenizer.class, fast);
            assertInstanceOf(HuggingFaceTextTokenizer.class, djl);
            assertEquals(djl.id(), fast.id(), "batches name the vocabulary, not the encoder");
            assertEquals(djl.eosId(), fast.eosId());
            List<String> texts = new ArrayList<>(ProbeTexts.all(99, 3000));
            texts.add(String.join(" ", ProbeTexts.randomStrings(5, 2000))); // one long mixed document
            for (String text : texts) {
                assertArrayEquals(djl.encode(text), fast.encode(text), () -> "ids of " + text);
            }
        }
    }

    @Test
    void aFileTheFastPathCannotReproduceFallsBackToDjlUnlessRequired(@TempDir Path dir) throws IOException {
        Path normalized = dir.resolve("nfkc-tokenizer.json");
        Files.writeString(normalized, Files.readString(Path.of(SAMPLE))
                .replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFKC\"}"));
        try (TextTokenizer tokenizer = TokenizerLoader.load(normalized.toString(), EOS, FastPath.AUTO)) {
            assertInstanceOf(HuggingFaceTextTokenizer.class, tokenizer);
        }
        IllegalArgumentException required = assertThrows(IllegalArgumentException.class,
                () -> TokenizerLoader.load(normalized.toString(), EOS, FastPath.REQUIRED));
        assertTrue(required.getMessage().contains("spindle.tokenizer.fast-path"), required.getMessage());
        assertTrue(required.getMessage().contains("normalizer"), required.getMessage());
    }

    @Test
    void tiktokenEncodingsComeFromJtokkit() {
        try (TextTokenizer tiktoken = TokenizerLoader.load("tiktoken:cl100k_base", EOS, FastPath.AUTO)) {
            assertInstanceOf(TiktokenTextTokenizer.class, tiktoken);
            assertArrayEquals(new int[] {15339, 1917}, tiktoken.encode("hello world"));
            assertEquals(100257, tiktoken.eosId());
            assertEquals("tiktoken:cl100k_base", tiktoken.id());
            assertTrue(tiktoken.encode("a<|endoftext|>b").length > 3, "special token text stays ordinary text");
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> TokenizerLoader.load("tiktoken:gpt5", EOS, FastPath.AUTO));
        assertTrue(unknown.getMessage().startsWith("spindle.tokenizer.path"), unknown.getMessage());
    }
}
