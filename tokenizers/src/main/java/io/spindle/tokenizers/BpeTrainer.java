package io.spindle.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns a byte-level BPE vocabulary from {@link WordCounts}: start from the 256 byte tokens and
 * repeatedly merge the most frequent adjacent pair until the vocabulary has the requested size.
 *
 * <p><b>Deterministic.</b> Ties between pairs of equal count go to the pair whose left token's
 * bytes sort first (unsigned, lexicographic), then the right token's bytes. That order depends only
 * on the corpus, never on hash order or the order the texts were read in, so the same corpus
 * always gives the same merges.
 *
 * <p><b>Incremental.</b> Pair counts are computed once; a merge only revisits the words that
 * contain the merged pair (each pair remembers its words) and adjusts the counts of the pairs
 * around it. Candidates wait in a priority queue; entries whose count went stale are dropped or
 * re-queued when they reach the top, instead of being searched for on every change.
 */
public final class BpeTrainer {

    /**
     * Receives progress every {@code reportEvery} new tokens and once at the end. Merges can
     * outnumber new tokens slightly (see {@code tokenFor}), hence both counts.
     */
    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(int mergesDone, int tokensAdded, int tokensWanted, long elapsedNanos);

        ProgressListener NONE = (merges, added, wanted, nanos) -> { };
    }

    private final int vocabSize;
    private final long minFrequency;
    private final ProgressListener progress;
    private final int reportEvery;

    /**
     * @param vocabSize    total tokens wanted: specials + 256 bytes + merges
     * @param minFrequency a pair seen fewer times than this is never merged, so training may stop
     *                     short of {@code vocabSize} on a tiny corpus rather than learn noise
     */
    public BpeTrainer(int vocabSize, long minFrequency, ProgressListener progress, int reportEvery) {
        if (vocabSize < SpecialTokens.FIRST_MERGE_ID) {
            throw new IllegalArgumentException("vocab size must be at least " + SpecialTokens.FIRST_MERGE_ID
                    + " (specials + 256 bytes), got " + vocabSize);
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("min frequency must be >= 1");
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        this.progress = progress;
        this.reportEvery = Math.max(1, reportEvery);
    }

    public BpeTrainer(int vocabSize) {
        this(vocabSize, 2, ProgressListener.NONE, 1000);
    }

    /** Convenience for small in-memory corpora. */
    public BpeVocabulary train(PreTokenizerPattern pattern, Iterable<String> texts) {
        WordCounts counts = new WordCounts(pattern);
        texts.forEach(counts::add);
        return train(counts);
    }

    public BpeVocabulary train(WordCounts counts) {
        return new Run(counts).train();
    }

    /** The mutable state of one training run. */
    private final class Run {
        private final PreTokenizerPattern pattern;
        private final List<String> tokens = new ArrayList<>();
        private final List<byte[]> tokenBytes = new ArrayList<>();
        private final Map<String, Integer> idByToken = new HashMap<>();
        private final List<BpeVocabulary.Merge> merges = new ArrayList<>();

        private int[][] words;
        private long[] frequency;
        private final Map<Long, PairStats> pairs = new HashMap<>();
        private final PriorityQueue<Candidate> queue;
        private final Map<Long, long[]> delta = new HashMap<>();

        Run(WordCounts counts) {
            this.pattern = counts.pattern();
            for (String special : SpecialTokens.ALL) {
                tokens.add(special);
                tokenBytes.add(special.getBytes(StandardCharsets.UTF_8));
            }
            for (int b = 0; b < 256; b++) {
                String token = String.valueOf(ByteLevelAlphabet.charFor(b));
                idByToken.put(token, tokens.size());
                tokens.add(token);
                tokenBytes.add(new byte[] {(byte) b});
            }
            Comparator<Candidate> order = Comparator.<Candidate>comparingLong(c -> -c.count)
                    .thenComparing((x, y) -> Arrays.compareUnsigned(tokenBytes.get(x.left), tokenBytes.get(y.left)))
                    .thenComparing((x, y) -> Arrays.compareUnsigned(tokenBytes.get(x.right), tokenBytes.get(y.right)));
            this.queue = new PriorityQueue<>(order);
            loadWords(counts);
        }

        private void loadWords(WordCounts counts) {
            words = new int[counts.distinctWords()][];
            frequency = new long[words.length];
            int[] next = {0};
            counts.forEach((word, count) -> {
                byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
                int[] symbols = new int[utf8.length];
                for (int i = 0; i < utf8.length; i++) {
                    symbols[i] = SpecialTokens.FIRST_BYTE_ID + (utf8[i] & 0xFF);
                }
                words[next[0]] = symbols;
                frequency[next[0]] = count;
                next[0]++;
            });
            for (int w = 0; w < words.length; w++) {
                int[] s = words[w];
                for (int i = 0; i + 1 < s.length; i++) {
                    PairStats stats = pairs.computeIfAbsent(key(s[i], s[i + 1]), k -> new PairStats());
                    stats.count += frequency[w];
                    stats.addWord(w);
                }
            }
            pairs.forEach((k, stats) -> {
                if (stats.count >= minFrequency) {
                    queue.add(new Candidate(stats.count, left(k), right(k)));
                }
            });
        }

        BpeVocabulary train() {
            long start = System.nanoTime();
            int initial = tokens.size();
            int wanted = vocabSize - initial;
            while (tokens.size() < vocabSize) {
                Candidate top = queue.poll();
                if (top == null) {
                    break; // every remaining pair is rarer than minFrequency
                }
                long k = key(top.left, top.right);
                PairStats stats = pairs.get(k);
                if (stats == null || stats.count != top.count) {
                    // Stale: counts only drop without a fresh entry, so re-queue at the lower count.
                    if (stats != null && stats.count < top.count && stats.count >= minFrequency) {
                        queue.add(new Candidate(stats.count, top.left, top.right));
                    }
                    continue;
                }
                int merged = tokenFor(top.left, top.right);
                merges.add(new BpeVocabulary.Merge(top.left, top.right, merged));
                boolean isNewToken = merged == tokens.size() - 1;
                applyMerge(k, stats, top.left, top.right, merged);
                int added = tokens.size() - initial;
                if (isNewToken && added % reportEvery == 0 && added < wanted) {
                    progress.onProgress(merges.size(), added, wanted, System.nanoTime() - start);
                }
            }
            progress.onProgress(merges.size(), tokens.size() - initial, wanted, System.nanoTime() - start);
            Map<String, Integer> specials = new HashMap<>();
            for (int id = 0; id < SpecialTokens.ALL.size(); id++) {
                specials.put(SpecialTokens.ALL.get(id), id);
            }
            return new BpeVocabulary(pattern, tokens, merges, specials);
        }

        /**
         * The id of left+right. Two different merges can spell the same bytes ("ab"+"c" and
         * "a"+"bc"); the second one reuses the first one's id, as Hugging Face's trainer does.
         */
        private int tokenFor(int left, int right) {
            String text = tokens.get(left) + tokens.get(right);
            Integer existing = idByToken.get(text);
            if (existing != null) {
                return existing;
            }
            byte[] a = tokenBytes.get(left);
            byte[] b = tokenBytes.get(right);
            byte[] joined = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            int id = tokens.size();
            tokens.add(text);
            tokenBytes.add(joined);
            idByToken.put(text, id);
            return id;
        }

        private void applyMerge(long mergedKey, PairStats stats, int left, int right, int merged) {
            pairs.remove(mergedKey);
            delta.clear();
            for (int w : stats.distinctWords()) {
                int[] before = words[w];
                int[] after = mergeWord(before, left, right, merged);
                if (after == before) {
                    continue; // the word lost this pair to an earlier merge
                }
                long f = frequency[w];
                for (int i = 0; i + 1 < before.length; i++) {
                    delta.computeIfAbsent(key(before[i], before[i + 1]), x -> new long[1])[0] -= f;
                }
                for (int i = 0; i + 1 < after.length; i++) {
                    long k = key(after[i], after[i + 1]);
                    delta.computeIfAbsent(k, x -> new long[1])[0] += f;
                    if (after[i] == merged || after[i + 1] == merged) {
                        // Only pairs touching the new token can be new to this word.
                        pairs.computeIfAbsent(k, x -> new PairStats()).addWord(w);
                    }
                }
                words[w] = after;
            }
            delta.forEach((k, d) -> {
                if (k == mergedKey || d[0] == 0) {
                    return;
                }
                PairStats s = pairs.computeIfAbsent(k, x -> new PairStats());
                s.count += d[0];
                if (s.count <= 0) {
                    pairs.remove(k);
                } else if (d[0] > 0 && s.count >= minFrequency) {
                    queue.add(new Candidate(s.count, left(k), right(k)));
                }
            });
        }
    }

    /** Replaces every non-overlapping left,right (scanning left to right) with merged. */
    static int[] mergeWord(int[] symbols, int left, int right, int merged) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                if (out == null) {
                    out = new int[symbols.length - 1];
                    System.arraycopy(symbols, 0, out, 0, i);
                    n = i;
                }
                out[n++] = merged;
                i++;
            } else if (out != null) {
                out[n++] = symbols[i];
            }
        }
        return out == null ? symbols : Arrays.copyOf(out, n);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int left(long key) {
        return (int) (key >>> 32);
    }

    private static int right(long key) {
        return (int) key;
    }

    /** A queued merge candidate: the pair's count when it was queued. */
    private record Candidate(long count, int left, int right) {
    }

    /** A pair's current count and the words it may occur in (possibly stale, never missing one). */
    private static final class PairStats {
        long count;
        private int[] words = new int[2];
        private int size;

        void addWord(int w) {
            if (size > 0 && words[size - 1] == w) {
                return; // the common repeat: the same word adding the same pair twice in a row
            }
            if (size == words.length) {
                words = Arrays.copyOf(words, size * 2);
            }
            words[size++] = w;
        }

        int[] distinctWords() {
            return Arrays.stream(words, 0, size).sorted().distinct().toArray();
        }
    }
}
