package io.spindle.tokenizers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes text with a byte-level {@link BpeVocabulary}, giving exactly the ids the Hugging Face
 * tokenizer gives for the same {@code tokenizer.json} (tests check this against DJL on random and
 * adversarial Unicode). It is Spindle's fast path: the tokenizer service uses it whenever
 * {@link TokenizerJsonReader} accepts the file.
 *
 * <p>Steps, mirroring Hugging Face: added (special) tokens are cut out of the raw text first (leftmost,
 * then longest match); each remaining stretch is cut into pieces by {@link PieceScanner} (the
 * pre-tokenizer regex, without a regex engine); each piece's UTF-8 bytes become byte tokens, and merges
 * are applied lowest rank first, leftmost first among equal ranks (Hugging Face's priority queue). A piece
 * seen before is answered from a cache, which is where most of the speed comes from: text repeats words.
 *
 * <p>A lone surrogate (possible in a Java string, never in UTF-8) is encoded as U+FFFD's bytes. Callers
 * that care, like the tokenizer service, replace or reject such text before it gets here.
 *
 * <p>Not thread-safe (the cache): call {@link #forAnotherThread()} for each further thread; the tables
 * are shared.
 */
public final class ByteLevelBpeEncoder {

    /** Pieces longer than this are not cached: rare, and they would crowd out the common ones. */
    private static final int CACHE_MAX_PIECE = 64;

    private final Tables tables;
    private final PieceCache cache = new PieceCache();
    private final Scratch scratch = new Scratch();

    public ByteLevelBpeEncoder(BpeVocabulary vocabulary) {
        this(new Tables(vocabulary));
    }

    private ByteLevelBpeEncoder(Tables tables) {
        this.tables = tables;
    }

    /** An encoder over the same (immutable) tables with its own cache, for another thread. */
    public ByteLevelBpeEncoder forAnotherThread() {
        return new ByteLevelBpeEncoder(tables);
    }

    public BpeVocabulary vocabulary() {
        return tables.vocabulary;
    }

    public int[] encode(String text) {
        int n = text.length();
        char[] chars = scratch.chars(n);
        text.getChars(0, n, chars, 0);
        IntList out = scratch.ids;
        out.reset();
        int from = 0;
        if (!tables.specials.isEmpty()) {
            for (int i = 0; i < n; i++) {
                char c = chars[i];
                if (c >= tables.specialFirstChar.length || !tables.specialFirstChar[c]) {
                    continue;
                }
                String special = specialAt(text, i);
                if (special == null) {
                    continue;
                }
                encodeStretch(chars, from, i, out);
                out.add(tables.vocabulary.specialTokens().get(special));
                from = i + special.length();
                i = from - 1;
            }
        }
        encodeStretch(chars, from, n, out);
        return out.toArray();
    }

    /** The chars [from, to), which hold no special token: cut into pieces, each piece encoded. */
    private void encodeStretch(char[] chars, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        IntList ends = scratch.pieceEnds;
        ends.reset();
        PieceScanner.scan(tables.vocabulary.pattern(), chars, from, to, ends);
        int start = from;
        for (int k = 0; k < ends.size(); k++) {
            int end = ends.get(k);
            encodePiece(chars, start, end, out);
            start = end;
        }
    }

    /** The longest special token starting at {@code i}, or null. */
    private String specialAt(String text, int i) {
        for (String s : tables.specials) { // longest first
            if (text.startsWith(s, i)) {
                return s;
            }
        }
        return null;
    }

    /** Decodes ids back to text; special tokens come out as their literal text. */
    public String decode(int[] ids) {
        BpeVocabulary vocabulary = tables.vocabulary;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String token = vocabulary.token(id);
            byte[] b = vocabulary.isSpecial(id) ? token.getBytes(StandardCharsets.UTF_8) : ByteLevelAlphabet.decode(token);
            bytes.write(b, 0, b.length);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void encodePiece(char[] text, int start, int end, IntList out) {
        if (end - start > CACHE_MAX_PIECE) {
            out.addAll(tables.bpe(text, start, end, scratch));
            return;
        }
        int hash = PieceCache.hash(text, start, end);
        if (!cache.appendCached(text, start, end, hash, out)) {
            int[] ids = tables.bpe(text, start, end, scratch);
            cache.put(text, start, end, hash, ids);
            out.addAll(ids);
        }
    }

    /**
     * Ids of recent pieces, looked up by a region of the text so that a hit allocates nothing. Two generations:
     * new pieces go into the young one; when it is half full, it becomes the old one and the old one is emptied to
     * be the young. A piece found only in the old generation is copied back into the young. So memory stays
     * bounded, and the common words survive every turn-over: emptying one single table dropped them all, and
     * refilling it was most of its misses (~5% of lookups on samples/, each a full BPE; now ~1%).
     */
    private static final class PieceCache {
        /** Short pieces (most words): 8,192 entries of 32 bytes (256 KiB). */
        private final Front shortPieces = new Front(13, 8, 2);
        /** Longer ones, which were 11% of lookups: 4,096 entries of 64 bytes (256 KiB). */
        private final Front longPieces = new Front(12, 20, 4);
        private Generation young = new Generation();
        private Generation old = new Generation();

        static int hash(char[] text, int start, int end) {
            int h = 0;
            for (int i = start; i < end; i++) {
                h = 31 * h + text[i];
            }
            // Spread: short pieces have small polynomial hashes, which would crowd the low slots into long probe runs.
            h *= 0x9E3779B9;
            return h == 0 ? 1 : h; // 0 marks an empty slot
        }

        /** The front table for pieces of this length, or null when they are too long for either. */
        private Front front(int length) {
            return shortPieces.holds(length) ? shortPieces : longPieces.holds(length) ? longPieces : null;
        }

        /** Adds the cached ids of the chars [start, end) to {@code out}; false when they are not cached. */
        boolean appendCached(char[] text, int start, int end, int hash, IntList out) {
            Front front = front(end - start);
            if (front != null && front.appendCached(text, start, end, hash, out)) {
                return true;
            }
            int slot = young.find(text, start, end, hash);
            if (slot >= 0) {
                young.appendIds(slot, out);
                if (front != null) {
                    front.put(text, start, end, hash, young.idArena, young.idsStart(slot), young.idsLength(slot));
                }
                return true;
            }
            slot = old.find(text, start, end, hash);
            if (slot < 0) {
                return false;
            }
            old.appendIds(slot, out);
            if (front != null) {
                front.put(text, start, end, hash, old.idArena, old.idsStart(slot), old.idsLength(slot));
            }
            if (!young.isHalfFull()) { // else it stays old until the next miss turns the generations over
                young.put(text, start, end, hash, old.idArena, old.idsStart(slot), old.idsLength(slot));
            }
            return true;
        }

        void put(char[] text, int start, int end, int hash, int[] ids) {
            Front front = front(end - start);
            if (front != null) {
                front.put(text, start, end, hash, ids, 0, ids.length);
            }
            if (young.isHalfFull()) {
                Generation emptied = old;
                emptied.clear();
                old = young;
                young = emptied;
            }
            young.put(text, start, end, hash, ids, 0, ids.length);
        }
    }

    /**
     * The most recent pieces of up to {@code maxChars} chars, in a small direct-mapped table that stays in the core's
     * own caches: each entry holds its key and ids inline, so a hit reads one cache line. Common words are short
     * and frequent; they are answered here, and the large tables behind (megabytes, read at random, where each
     * lookup waited on main memory when two stream threads and a broker shared the caches) see the rest. On
     * samples/, 8,192 entries for pieces of up to 8 chars answered 77% of lookups (71% with 4,096, 81% with 16,384).
     */
    private static final class Front {
        private final int bits;
        private final int maxChars;
        private final int maxIds;
        private final int stride;
        /** Per entry: hash (0: empty), key length << 8 | ids count, the key's chars two per int, the ids. */
        private final int[] entries;

        Front(int bits, int maxChars, int maxIds) {
            this.bits = bits;
            this.maxChars = maxChars;
            this.maxIds = maxIds;
            this.stride = 2 + maxChars / 2 + maxIds;
            this.entries = new int[(1 << bits) * stride];
        }

        boolean holds(int length) {
            return length <= maxChars;
        }

        boolean appendCached(char[] text, int start, int end, int hash, IntList out) {
            int len = end - start;
            int e = (hash >>> (32 - bits)) * stride;
            int[] en = entries;
            if (en[e] != hash || en[e + 1] >>> 8 != len) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                if (text[start + i] != (char) (en[e + 2 + (i >> 1)] >>> ((i & 1) << 4))) {
                    return false;
                }
            }
            int ids = e + 2 + maxChars / 2;
            int count = en[e + 1] & 0xFF;
            for (int k = 0; k < count; k++) {
                out.add(en[ids + k]);
            }
            return true;
        }

        void put(char[] text, int start, int end, int hash, int[] ids, int idsFrom, int idsCount) {
            int len = end - start;
            if (len > maxChars || idsCount > maxIds || idsCount == 0) {
                return;
            }
            int e = (hash >>> (32 - bits)) * stride;
            entries[e] = hash;
            entries[e + 1] = len << 8 | idsCount;
            for (int k = 0; k < maxChars / 2; k++) {
                int i = 2 * k;
                int low = i < len ? text[start + i] : 0;
                int high = i + 1 < len ? text[start + i + 1] : 0;
                entries[e + 2 + k] = high << 16 | low;
            }
            System.arraycopy(ids, idsFrom, entries, e + 2 + maxChars / 2, idsCount);
        }
    }

    /**
     * One open-addressing table, laid out for the memory system rather than as objects: a slot is four ints in a
     * row (a cache line holds four), and keys and ids are packed into two arrays. A hit reads three cache lines
     * (slot, key chars, ids) where a table of String keys and int[] values read five scattered ones: with two stream
     * threads and a broker sharing the caches, the key comparison's misses were a third of the service's CPU.
     */
    private static final class Generation {
        private static final int BITS = 17;
        private static final int CAPACITY = 1 << BITS;
        /** Per slot: hash (0: empty), start of the key in keyChars, start of the ids in idArena, key length << 16 | ids count. */
        private final int[] slots = new int[CAPACITY * 4];
        private char[] keyChars = new char[1 << 18];
        int[] idArena = new int[1 << 17];
        private int keysUsed;
        private int idsUsed;
        private int size;

        /** The slot holding the chars [start, end) of {@code text}, or -1. */
        int find(char[] text, int start, int end, int hash) {
            int len = end - start;
            for (int slot = hash >>> (32 - BITS); ; slot = (slot + 1) & (CAPACITY - 1)) {
                int base = slot * 4;
                int h = slots[base];
                if (h == 0) {
                    return -1;
                }
                if (h == hash && slots[base + 3] >>> 16 == len && sameChars(text, start, len, slots[base + 1])) {
                    return slot;
                }
            }
        }

        private boolean sameChars(char[] text, int start, int len, int keyStart) {
            char[] keys = keyChars;
            for (int i = 0; i < len; i++) {
                if (text[start + i] != keys[keyStart + i]) {
                    return false;
                }
            }
            return true;
        }

        int idsStart(int slot) {
            return slots[slot * 4 + 2];
        }

        int idsLength(int slot) {
            return slots[slot * 4 + 3] & 0xFFFF;
        }

        void appendIds(int slot, IntList out) {
            out.addAll(idArena, idsStart(slot), idsLength(slot));
        }

        boolean isHalfFull() {
            return size >= CAPACITY / 2;
        }

        /** Keys are at most CACHE_MAX_PIECE chars and ids at most 3 per char: both lengths fit 16 bits. */
        void put(char[] text, int start, int end, int hash, int[] ids, int idsFrom, int idsCount) {
            int len = end - start;
            if (keysUsed + len > keyChars.length) {
                keyChars = Arrays.copyOf(keyChars, keyChars.length * 2);
            }
            if (idsUsed + idsCount > idArena.length) {
                idArena = Arrays.copyOf(idArena, idArena.length * 2);
            }
            System.arraycopy(text, start, keyChars, keysUsed, len);
            System.arraycopy(ids, idsFrom, idArena, idsUsed, idsCount);
            int slot = hash >>> (32 - BITS);
            while (slots[slot * 4] != 0) {
                slot = (slot + 1) & (CAPACITY - 1);
            }
            int base = slot * 4;
            slots[base] = hash;
            slots[base + 1] = keysUsed;
            slots[base + 2] = idsUsed;
            slots[base + 3] = len << 16 | idsCount;
            keysUsed += len;
            idsUsed += idsCount;
            size++;
        }

        void clear() {
            Arrays.fill(slots, 0);
            keysUsed = 0;
            idsUsed = 0;
            size = 0;
        }
    }

    /** Everything derived from the vocabulary; immutable, shared between threads. */
    private static final class Tables {
        final BpeVocabulary vocabulary;
        final PairRanks ranks;
        final int[] idByByte = new int[256];
        /** Special tokens, longest first so that at one position the longest wins. */
        final List<String> specials;
        final boolean[] specialFirstChar = new boolean[0x10000];
        /** With {@code ignore_merges}, a piece that is itself a token is taken whole. */
        final Map<String, Integer> wholeTokens;

        Tables(BpeVocabulary vocabulary) {
            this.vocabulary = vocabulary;
            this.ranks = new PairRanks(vocabulary.merges());
            // Looked up rather than assumed at FIRST_BYTE_ID + b, so files trained elsewhere work too.
            Map<String, Integer> ids = vocabulary.idsByToken();
            for (int b = 0; b < 256; b++) {
                Integer id = ids.get(String.valueOf(ByteLevelAlphabet.charFor(b)));
                if (id == null) {
                    throw new IllegalArgumentException("vocabulary lacks the token for byte " + b);
                }
                idByByte[b] = id;
            }
            List<String> s = new ArrayList<>(vocabulary.specialTokens().keySet());
            s.sort((a, b) -> b.length() != a.length() ? b.length() - a.length() : a.compareTo(b));
            this.specials = List.copyOf(s);
            for (String special : specials) {
                specialFirstChar[special.charAt(0)] = true;
            }
            this.wholeTokens = vocabulary.ignoreMerges() ? ids : null;
        }

        /** BPE of the chars [start, end) of {@code text}. */
        int[] bpe(char[] text, int start, int end, Scratch scratch) {
            int n = scratch.utf8(text, start, end);
            byte[] bytes = scratch.bytes;
            if (wholeTokens != null) {
                char[] chars = new char[n];
                for (int i = 0; i < n; i++) {
                    chars[i] = ByteLevelAlphabet.charFor(bytes[i] & 0xFF);
                }
                Integer whole = wholeTokens.get(new String(chars));
                if (whole != null && !vocabulary.isSpecial(whole)) {
                    return new int[] {whole};
                }
            }
            int[] sym = scratch.symbols(n);
            int[] next = scratch.next;
            int[] prev = scratch.prev;
            for (int i = 0; i < n; i++) {
                sym[i] = idByByte[bytes[i] & 0xFF];
                next[i] = i + 1 < n ? i + 1 : -1;
                prev[i] = i - 1;
            }
            // Candidate merges keyed rank << 32 | position: the smallest is lowest rank, then leftmost.
            LongHeap heap = scratch.heap;
            heap.clear();
            for (int i = 0; i + 1 < n; i++) {
                pushPair(heap, sym, i, i + 1);
            }
            int alive = n;
            while (!heap.isEmpty()) {
                long top = heap.poll();
                int rank = (int) (top >>> 32);
                int pos = (int) top;
                int right = next[pos];
                // Stale if the symbol was merged away (marked -1) or either side changed since queued.
                if (sym[pos] < 0 || right < 0 || ranks.rank(sym[pos], sym[right]) != rank) {
                    continue;
                }
                sym[pos] = ranks.result(rank);
                sym[right] = -1;
                int after = next[right];
                next[pos] = after;
                if (after >= 0) {
                    prev[after] = pos;
                    pushPair(heap, sym, pos, after);
                }
                if (prev[pos] >= 0) {
                    pushPair(heap, sym, prev[pos], pos);
                }
                alive--;
            }
            int[] ids = new int[alive];
            int k = 0;
            for (int i = 0; i >= 0; i = next[i]) {
                ids[k++] = sym[i];
            }
            return ids;
        }

        private void pushPair(LongHeap heap, int[] sym, int left, int right) {
            int rank = ranks.rank(sym[left], sym[right]);
            if (rank >= 0) {
                heap.add(((long) rank << 32) | left);
            }
        }
    }

    /** Merge rank by (left, right) in an open-addressing table of longs: no boxing on the hot path. */
    private static final class PairRanks {
        private final long[] keys;
        private final int[] values;
        private final int mask;
        private final int[] resultByRank;

        PairRanks(List<BpeVocabulary.Merge> merges) {
            int capacity = Integer.highestOneBit(Math.max(4, merges.size() * 2 + 1) * 2 - 1);
            keys = new long[capacity];
            values = new int[capacity];
            Arrays.fill(keys, -1L);
            mask = capacity - 1;
            resultByRank = new int[merges.size()];
            for (int rank = 0; rank < merges.size(); rank++) {
                BpeVocabulary.Merge m = merges.get(rank);
                resultByRank[rank] = m.result();
                long key = key(m.left(), m.right());
                int slot = slot(key);
                while (keys[slot] != -1L && keys[slot] != key) {
                    slot = (slot + 1) & mask;
                }
                if (keys[slot] == -1L) { // a repeated merge keeps its first (lowest) rank
                    keys[slot] = key;
                    values[slot] = rank;
                }
            }
        }

        /** The rank of merging left, right, or -1. */
        int rank(int left, int right) {
            long key = key(left, right);
            int slot = slot(key);
            while (true) {
                long k = keys[slot];
                if (k == key) {
                    return values[slot];
                }
                if (k == -1L) {
                    return -1;
                }
                slot = (slot + 1) & mask;
            }
        }

        int result(int rank) {
            return resultByRank[rank];
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 40) & mask;
        }

        private static long key(int left, int right) {
            return ((long) left << 32) | (right & 0xFFFFFFFFL);
        }
    }

    /** Buffers reused from piece to piece. */
    private static final class Scratch {
        private static final int KEPT_CHARS = 1 << 20;
        char[] chars = new char[4096];
        byte[] bytes = new byte[256];
        int[] sym = new int[256];
        int[] next = new int[256];
        int[] prev = new int[256];
        final LongHeap heap = new LongHeap();
        /** Where each piece of the stretch being encoded ends (PieceScanner.scan). */
        final IntList pieceEnds = new IntList(1024);
        /** The ids of the document being encoded; copied out at its end. */
        final IntList ids = new IntList(1024);

        /** A buffer for a document of {@code n} chars; one of a rare, very long document is not kept. */
        char[] chars(int n) {
            if (n > KEPT_CHARS) {
                return new char[n];
            }
            if (chars.length < n) {
                chars = new char[Math.max(n, Math.min(KEPT_CHARS, chars.length * 2))];
            }
            return chars;
        }

        /** UTF-8 of the chars [start, end) into {@link #bytes}; returns the byte count. */
        int utf8(char[] s, int start, int end) {
            int need = (end - start) * 3;
            if (bytes.length < need) {
                bytes = new byte[need];
            }
            int n = 0;
            for (int i = start; i < end; i++) {
                char c = s[i];
                if (c < 0x80) {
                    bytes[n++] = (byte) c;
                } else if (c < 0x800) {
                    bytes[n++] = (byte) (0xC0 | (c >> 6));
                    bytes[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
                    int cp = Character.toCodePoint(c, s[++i]);
                    bytes[n++] = (byte) (0xF0 | (cp >> 18));
                    bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    if (Character.isSurrogate(c)) {
                        c = '\uFFFD';
                    }
                    bytes[n++] = (byte) (0xE0 | (c >> 12));
                    bytes[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return n;
        }

        int[] symbols(int n) {
            if (sym.length < n) {
                sym = new int[n];
                next = new int[n];
                prev = new int[n];
            }
            return sym;
        }
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] data = new long[256];
        private int size;

        void clear() {
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (data[parent] <= v) {
                    break;
                }
                data[i] = data[parent];
                i = parent;
            }
            data[i] = v;
        }

        long poll() {
            long top = data[0];
            long last = data[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && data[child + 1] < data[child]) {
                    child++;
                }
                if (last <= data[child]) {
                    break;
                }
                data[i] = data[child];
                i = child;
            }
            if (size > 0) {
                data[i] = last;
            }
            return top;
        }
    }
}
