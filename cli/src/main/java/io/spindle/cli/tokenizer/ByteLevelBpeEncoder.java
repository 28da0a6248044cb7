package io.spindle.cli.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain Java encoder for a {@link BpeVocabulary}, written to give exactly the ids the Hugging
 * Face tokenizer gives for the {@code tokenizer.json} that {@link TokenizerJsonWriter} writes (tests
 * check this against DJL). It is the reference for a faster path, not itself tuned for speed.
 *
 * <p>Steps, mirroring Hugging Face: special tokens are cut out of the raw text first (leftmost,
 * then longest match); each remaining stretch is split by the pre-tokenizer regex; each piece's
 * UTF-8 bytes become byte tokens, and merges are applied lowest rank first until none applies.
 *
 * <p>Not thread-safe (it caches the ids of recent pieces): use one instance per thread.
 */
public final class ByteLevelBpeEncoder {

    private static final int CACHE_LIMIT = 200_000;

    private final BpeVocabulary vocabulary;
    private final Map<Long, Integer> rankByPair = new HashMap<>();
    private final int[] resultByRank;
    private final int[] idByByte = new int[256];
    private final List<String> specials;
    private final Map<String, int[]> cache = new HashMap<>();

    public ByteLevelBpeEncoder(BpeVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        List<BpeVocabulary.Merge> merges = vocabulary.merges();
        this.resultByRank = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            BpeVocabulary.Merge m = merges.get(rank);
            rankByPair.putIfAbsent(key(m.left(), m.right()), rank);
            resultByRank[rank] = m.result();
        }
        // Looked up rather than assumed at FIRST_BYTE_ID + b, so files trained elsewhere work too.
        Map<String, Integer> ids = vocabulary.idsByToken();
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevelAlphabet.charFor(b)));
            if (id == null) {
                throw new IllegalArgumentException("vocabulary lacks the token for byte " + b);
            }
            idByByte[b] = id;
        }
        this.specials = new ArrayList<>(vocabulary.specialTokens().keySet());
        // Longest first, so that at one position the longest special wins.
        this.specials.sort((a, b) -> b.length() != a.length() ? b.length() - a.length() : a.compareTo(b));
    }

    public BpeVocabulary vocabulary() {
        return vocabulary;
    }

    public int[] encode(String text) {
        IntList out = new IntList();
        int from = 0;
        while (from < text.length()) {
            int bestAt = text.length();
            String best = null;
            for (String s : specials) {
                int at = text.indexOf(s, from);
                if (at >= 0 && at < bestAt) {
                    bestAt = at;
                    best = s;
                }
            }
            if (bestAt > from) {
                vocabulary.pattern().forEachPiece(text.substring(from, bestAt), piece -> out.addAll(encodePiece(piece)));
            }
            if (best == null) {
                break;
            }
            out.add(vocabulary.specialTokens().get(best));
            from = bestAt + best.length();
        }
        return out.toArray();
    }

    /** Decodes ids back to text; special tokens come out as their literal text. */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String token = vocabulary.token(id);
            byte[] b = vocabulary.isSpecial(id) ? token.getBytes(StandardCharsets.UTF_8) : ByteLevelAlphabet.decode(token);
            bytes.write(b, 0, b.length);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private int[] encodePiece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            symbols[i] = idByByte[utf8[i] & 0xFF];
        }
        while (symbols.length > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.length; i++) {
                Integer rank = rankByPair.get(key(symbols[i], symbols[i + 1]));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                }
            }
            if (bestRank == Integer.MAX_VALUE) {
                break;
            }
            BpeVocabulary.Merge m = vocabulary.merges().get(bestRank);
            symbols = BpeTrainer.mergeWord(symbols, m.left(), m.right(), resultByRank[bestRank]);
        }
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(piece, symbols);
        return symbols;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** A growable int array, to avoid boxing every id. */
    private static final class IntList {
        private int[] data = new int[64];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
