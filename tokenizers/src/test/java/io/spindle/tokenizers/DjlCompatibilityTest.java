package io.spindle.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freshly trained tokenizer.json, loaded by DJL (the Rust tokenizers library), must give back
 * every text exactly and the same ids as {@link ByteLevelBpeEncoder}, for both pre-tokenizer patterns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlCompatibilityTest {

    /** Options that keep DJL from adding, cutting or padding anything. */
    static final Map<String, String> RAW_IDS = Map.of("addSpecialTokens", "false", "truncation", "false");

    @TempDir
    static Path dir;

    private final Map<PreTokenizerPattern, Trained> trained = new EnumMap<>(PreTokenizerPattern.class);

    private record Trained(BpeVocabulary vocabulary, Path file, HuggingFaceTokenizer djl) {
    }

    private Trained trained(PreTokenizerPattern pattern) throws IOException {
        Trained t = trained.get(pattern);
        if (t == null) {
            BpeVocabulary v = new BpeTrainer(1500).train(pattern, TestTexts.smallTrainingCorpus());
            Path file = dir.resolve(pattern.cliName() + "-tokenizer.json");
            TokenizerJsonWriter.write(v, file);
            t = new Trained(v, file, HuggingFaceTokenizer.newInstance(file, RAW_IDS));
            trained.put(pattern, t);
        }
        return t;
    }

    @AfterAll
    void closeTokenizers() {
        trained.values().forEach(t -> t.djl().close());
    }

    /** A few hundred strings: held-out corpus sentences, edge cases, random mixes. */
    private static List<String> probes() throws IOException {
        List<String> probes = new ArrayList<>(ProbeTexts.edgeCases());
        for (String doc : TestTexts.corpusDocuments(3000, 25)) {
            probes.addAll(Arrays.asList(doc.split("(?<=[.!?]) ")));
        }
        probes.addAll(ProbeTexts.randomStrings(42, 200));
        probes.addAll(ProbeTexts.adversarialRuns());
        return probes;
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void djlRoundTripsEveryProbeExactly(PreTokenizerPattern pattern) throws IOException {
        HuggingFaceTokenizer djl = trained(pattern).djl();
        for (String text : probes()) {
            long[] ids = djl.encode(text).getIds();
            assertEquals(text, djl.decode(ids, false), () -> "round trip of " + escape(text));
        }
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void djlIdsEqualTheJavaEncoderIds(PreTokenizerPattern pattern) throws IOException {
        Trained t = trained(pattern);
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(t.vocabulary());
        List<String> probes = probes();
        assertTrue(probes.size() >= 300, "probes: " + probes.size());
        long multiByteMerges = 0;
        for (String text : probes) {
            long[] expected = Arrays.stream(encoder.encode(text)).asLongStream().toArray();
            assertArrayEquals(expected, t.djl().encode(text).getIds(), () -> "ids of " + escape(text));
            assertEquals(text, encoder.decode(encoder.encode(text)));
            for (long id : expected) {
                if (id >= SpecialTokens.FIRST_MERGE_ID && t.vocabulary().token((int) id).chars().anyMatch(c -> c > 0xFF)) {
                    multiByteMerges++;
                }
            }
        }
        // The comparison is only meaningful if merges inside multi-byte characters were exercised.
        assertTrue(multiByteMerges > 0);
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void specialTokensHaveTheirFixedIds(PreTokenizerPattern pattern) throws IOException {
        HuggingFaceTokenizer djl = trained(pattern).djl();
        assertArrayEquals(new long[] {0, 1, 2}, djl.encode(SpecialTokens.EOS + SpecialTokens.BOS + SpecialTokens.PAD).getIds());
        assertEquals(SpecialTokens.EOS, djl.decode(new long[] {SpecialTokens.EOS_ID}, false));
        assertEquals("", djl.decode(new long[] {SpecialTokens.EOS_ID}, true));
        assertArrayEquals(new long[] {SpecialTokens.FIRST_BYTE_ID + 'A'},
                djl.encode("A").getIds(), "byte b has id 3 + b");
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void readerGivesBackTheTrainedVocabulary(PreTokenizerPattern pattern) throws IOException {
        Trained t = trained(pattern);
        BpeVocabulary read = TokenizerJsonReader.read(t.file());
        assertEquals(t.vocabulary(), read);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7F ? Character.toString(cp) : String.format("\\u{%X}", cp)));
        return out.append('"').toString();
    }
}
