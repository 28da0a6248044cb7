package io.spindle.cli.tokenizer;

import io.spindle.tokenizers.BpeVocabulary;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.PreTokenizerPattern;
import io.spindle.tokenizers.TokenizerJsonReader;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** samples/tokenizer.json: loads in DJL, round-trips the corpus, and is what the trainer makes today. */
class ShippedTokenizerTest {

    @Test
    void loadsInDjlAndRoundTripsTheCorpus() throws IOException {
        Path file = TestTexts.samplesDir().resolve("tokenizer.json");
        BpeVocabulary vocabulary = TokenizerJsonReader.read(file);
        assertEquals(8192, vocabulary.size());
        assertEquals(PreTokenizerPattern.GPT2, vocabulary.pattern());
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(vocabulary);

        List<String> docs = TestTexts.corpusDocuments(0, 150);
        long chars = 0;
        long tokens = 0;
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(file, java.util.Map.of("addSpecialTokens", "false", "truncation", "false"))) {
            for (String doc : docs) {
                long[] ids = djl.encode(doc).getIds();
                assertEquals(doc, djl.decode(ids, false));
                assertArrayEquals(Arrays.stream(encoder.encode(doc)).asLongStream().toArray(), ids);
                chars += doc.length();
                tokens += ids.length;
            }
        }
        // A trained 8k vocabulary on English should average well over 3 chars per token.
        assertTrue(chars / (double) tokens > 3.5, "chars per token: " + chars / (double) tokens);
    }

    @Test
    void isReproducibleFromTheCorpus(@TempDir Path dir) throws IOException {
        Path samples = TestTexts.samplesDir();
        Path out = dir.resolve("tokenizer.json");
        int exit = TrainTokenizerCommand.run(
                new String[] {"--vocab-size", "8192", "--pattern", "gpt2", "--out", out.toString(),
                        samples.resolve("corpus.jsonl.gz").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, exit);
        assertEquals(Files.readString(samples.resolve("tokenizer.json")), Files.readString(out),
                "samples/tokenizer.json is stale: rerun the command in samples/README.md");
    }
}
