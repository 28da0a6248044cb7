package io.spindle.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceMixerTest {

    /** The storage the service backs with a state store; a map here. */
    static final class MapStorage implements SourceMixer.Storage {
        final Map<String, byte[]> map = new HashMap<>();

        @Override
        public byte[] get(String key) {
            return map.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public void delete(String key) {
            map.remove(key);
        }
    }

    /**
     * Sources arrive evenly but are weighted 5:3:2, documents of random length (20..600 tokens); the
     * packed tokens match the weights within 1%, also across a restart from the stored state. The buffer
     * limit is above what the imbalance needs (a third of the input), so the mixer never has to give up.
     */
    @Test
    void packedSharesMatchTheWeightsWithinOnePercent() {
        Map<String, Double> weights = Map.of("web", 5.0, "books", 3.0, "code", 2.0);
        MapStorage storage = new MapStorage();
        SourceMixer mixer = new SourceMixer(weights, 2_000_000, storage);
        Map<String, Long> packed = new HashMap<>();
        Random random = new Random(3);
        String[] sources = {"web", "books", "code"};
        long offset = 0;
        for (int i = 0; i < 9000; i++) {
            if (i == 4500) {
                mixer = new SourceMixer(weights, 2_000_000, storage); // a restart: state comes back from storage
            }
            String source = sources[i % 3];
            int[] tokens = new int[20 + random.nextInt(581)];
            java.util.Arrays.fill(tokens, i % 3);
            for (SourceMixer.Document d : mixer.offer(source, new SourceMixer.Document(tokens, offset++))) {
                packed.merge(sources[d.tokens()[0]], (long) d.tokens().length, Long::sum);
            }
        }
        long total = packed.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(total > 1_000_000, "enough tokens packed to judge: " + total);
        for (String source : sources) {
            double share = packed.get(source) / (double) total;
            double want = weights.get(source) / 10.0;
            assertEquals(want, share, 0.01, source + " share");
        }
        assertEquals(packed, mixer.packedBySource());
    }

    @Test
    void aMissingSourceHoldsOthersBackOnlyUpToTheBufferLimit() {
        SourceMixer mixer = new SourceMixer(Map.of("a", 1.0, "b", 1.0), 1000, new MapStorage());
        int released = 0;
        for (int i = 0; i < 20; i++) {
            released += mixer.offer("a", new SourceMixer.Document(new int[100], i)).size();
        }
        assertEquals(11, released, "waits for b until 1,000 tokens are queued, then goes on with a");
        List<SourceMixer.Document> withB = mixer.offer("b", new SourceMixer.Document(new int[100], 99));
        assertEquals(1, withB.size(), "b is furthest below its share, so it goes first");
        assertEquals(99, withB.get(0).offset());
        assertTrue(mixer.mixes("a") && !mixer.mixes("other") && !mixer.mixes(null));
        assertThrows(IllegalArgumentException.class, () -> new SourceMixer(Map.of("a", 0.0), 10, new MapStorage()));
    }
}
