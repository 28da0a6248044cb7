package io.spindle.tokenizers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The piece cache turns over (its young generation fills, the old one is emptied) every ~65,000 distinct
 * pieces. Ids must never depend on what the cache held: an encoder that has seen hundreds of thousands of
 * pieces gives every text the ids a fresh encoder gives it.
 */
class ByteLevelBpeEncoderCacheTest {

    @Test
    void idsDoNotDependOnTheCacheAcrossManyTurnOvers() throws Exception {
        BpeVocabulary vocabulary = new BpeTrainer(1500).train(PreTokenizerPattern.GPT2, TestTexts.smallTrainingCorpus());
        ByteLevelBpeEncoder longLived = new ByteLevelBpeEncoder(vocabulary);
        List<String> texts = texts(new Random(7), 3000, 100);
        List<int[]> first = new ArrayList<>();
        for (String text : texts) {
            first.add(longLived.encode(text));
        }
        // Again, in another order: common words now come from the old generation, rare ones are gone.
        for (int i = texts.size() - 1; i >= 0; i -= 7) {
            String text = texts.get(i);
            int[] fresh = longLived.forAnotherThread().encode(text);
            assertArrayEquals(fresh, first.get(i), "first encoding of text " + i);
            assertArrayEquals(fresh, longLived.encode(text), "second encoding of text " + i);
        }
    }

    /**
     * {@code count} texts of {@code words} words: mostly new random words (300,000 distinct pieces in all, several
     * turn-overs), with common words and non-Latin-1 ones (UTF-16 strings) among them.
     */
    private static List<String> texts(Random random, int count, int words) {
        String[] common = {"the", "of", "and", "sea", "ships", "weather", "naïve", "東京", "😀", "  ", "\n"};
        List<String> texts = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < words; w++) {
                if (random.nextInt(3) == 0) {
                    text.append(common[random.nextInt(common.length)]);
                } else {
                    int length = 3 + random.nextInt(7);
                    for (int c = 0; c < length; c++) {
                        text.append((char) ('a' + random.nextInt(26)));
                    }
                }
                text.append(' ');
            }
            texts.add(text.toString());
        }
        assertTrue(texts.size() * words * 2 / 3 > 3 * (1 << 16), "enough distinct pieces for several turn-overs");
        return texts;
    }
}
