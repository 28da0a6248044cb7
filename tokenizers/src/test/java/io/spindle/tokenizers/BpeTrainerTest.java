package io.spindle.tokenizers;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {

    @Test
    void sameCorpusGivesByteIdenticalFileWhateverTheOrder() throws IOException {
        List<String> corpus = TestTexts.smallTrainingCorpus();
        String first = TokenizerJsonWriter.toJson(new BpeTrainer(900).train(PreTokenizerPattern.GPT2, corpus));
        String second = TokenizerJsonWriter.toJson(new BpeTrainer(900).train(PreTokenizerPattern.GPT2, corpus));
        assertEquals(first, second);

        List<String> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(7));
        assertEquals(first, TokenizerJsonWriter.toJson(new BpeTrainer(900).train(PreTokenizerPattern.GPT2, shuffled)));
    }

    @Test
    void vocabularyIsSpecialsThenBytesThenMerges() throws IOException {
        BpeVocabulary v = new BpeTrainer(800).train(PreTokenizerPattern.GPT2, TestTexts.smallTrainingCorpus());
        assertEquals(800, v.size());
        assertEquals(SpecialTokens.EOS, v.token(SpecialTokens.EOS_ID));
        assertEquals(SpecialTokens.BOS, v.token(SpecialTokens.BOS_ID));
        assertEquals(SpecialTokens.PAD, v.token(SpecialTokens.PAD_ID));
        assertEquals(Map.of(SpecialTokens.EOS, 0, SpecialTokens.BOS, 1, SpecialTokens.PAD, 2), v.specialTokens());
        for (int b = 0; b < 256; b++) {
            assertEquals(String.valueOf(ByteLevelAlphabet.charFor(b)), v.token(SpecialTokens.FIRST_BYTE_ID + b));
        }
        for (BpeVocabulary.Merge m : v.merges()) {
            assertTrue(m.result() >= SpecialTokens.FIRST_MERGE_ID);
            assertEquals(v.token(m.left()) + v.token(m.right()), v.token(m.result()));
        }
    }

    @Test
    void mostFrequentPairWinsAndTiesGoToTheSmallerBytes() {
        List<String> texts = new ArrayList<>();
        texts.addAll(Collections.nCopies(3, "xy"));
        texts.addAll(Collections.nCopies(3, "ab"));
        texts.addAll(Collections.nCopies(5, "pq"));
        texts.addAll(Collections.nCopies(2, "cd"));
        BpeVocabulary v = new BpeTrainer(SpecialTokens.FIRST_MERGE_ID + 3).train(PreTokenizerPattern.GPT2, texts);
        List<String> merged = v.merges().stream().map(m -> v.token(m.result())).toList();
        assertEquals(List.of("pq", "ab", "xy"), merged);
    }

    @Test
    void pairsRarerThanMinFrequencyAreNeverMerged() {
        BpeVocabulary v = new BpeTrainer(400).train(PreTokenizerPattern.GPT2, List.of("ab", "cd", "ef ef"));
        assertEquals(List.of("ef"), v.merges().stream().map(m -> v.token(m.result())).toList());
        assertEquals(SpecialTokens.FIRST_MERGE_ID + 1, v.size());
    }

    @Test
    void rejectsAVocabularyTooSmallForTheBytes() {
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(258));
    }

    @Test
    void incrementalCountsGiveTheSameMergesAsRecountingEveryStep() throws IOException {
        List<String> corpus = TestTexts.corpusDocuments(0, 60);
        corpus.addAll(ProbeTexts.edgeCases());
        int vocabSize = 600;
        BpeVocabulary fast = new BpeTrainer(vocabSize).train(PreTokenizerPattern.CL100K, corpus);
        assertEquals(naiveMerges(corpus, fast.merges().size()),
                fast.merges().stream().map(m -> List.of(fast.token(m.left()), fast.token(m.right()))).toList());
    }

    /** The textbook algorithm: recount every pair after every merge; same tie-break, min frequency 2. */
    private static List<List<String>> naiveMerges(List<String> corpus, int mergeCount) {
        Map<String, long[]> counts = new HashMap<>();
        for (String text : corpus) {
            PreTokenizerPattern.CL100K.forEachPiece(text, p -> counts.computeIfAbsent(p, k -> new long[1])[0]++);
        }
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            ids.put(String.valueOf(ByteLevelAlphabet.charFor(b)), tokens.size());
            tokens.add(String.valueOf(ByteLevelAlphabet.charFor(b)));
        }
        List<int[]> words = new ArrayList<>();
        List<Long> freq = new ArrayList<>();
        counts.forEach((w, c) -> {
            byte[] utf8 = w.getBytes(StandardCharsets.UTF_8);
            int[] symbols = new int[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                symbols[i] = utf8[i] & 0xFF;
            }
            words.add(symbols);
            freq.add(c[0]);
        });
        List<List<String>> merges = new ArrayList<>();
        while (merges.size() < mergeCount) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                for (int i = 0; i + 1 < s.length; i++) {
                    pairs.merge(((long) s[i] << 32) | s[i + 1], freq.get(w), Long::sum);
                }
            }
            long best = -1;
            long bestCount = 0;
            for (Map.Entry<Long, Long> e : pairs.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && compare(tokens, e.getKey(), best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (bestCount < 2) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String joined = tokens.get(left) + tokens.get(right);
            merges.add(List.of(tokens.get(left), tokens.get(right)));
            int merged = ids.computeIfAbsent(joined, k -> {
                tokens.add(k);
                return tokens.size() - 1;
            });
            words.replaceAll(s -> BpeTrainer.mergeWord(s, left, right, merged));
        }
        return merges;
    }

    private static int compare(List<String> tokens, long a, long b) {
        int c = Arrays.compareUnsigned(bytes(tokens, (int) (a >>> 32)), bytes(tokens, (int) (b >>> 32)));
        return c != 0 ? c : Arrays.compareUnsigned(bytes(tokens, (int) a), bytes(tokens, (int) b));
    }

    private static byte[] bytes(List<String> tokens, int id) {
        return ByteLevelAlphabet.decode(tokens.get(id));
    }
}
