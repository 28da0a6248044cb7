package io.spindle.tokenizer;

import io.spindle.contracts.batch.TokenBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowPackerTest {

    private static final int EOS = 0;

    @Test
    void packsEveryTokenOnceInOrderWithoutPadding() {
        RowPacker packer = new RowPacker("run", "tok", 3, 2, 5);
        Random random = new Random(7);
        List<Integer> expected = new ArrayList<>();
        List<TokenBatch> batches = new ArrayList<>();
        for (int doc = 0; doc < 200; doc++) {
            int[] tokens = document(random, 1 + random.nextInt(23));
            IntStream.of(tokens).forEach(expected::add);
            batches.addAll(packer.append(tokens, 1000 + doc));
        }
        List<Integer> packed = new ArrayList<>();
        batches.forEach(b -> IntStream.of(b.tokens()).forEach(packed::add));

        assertEquals(expected.subList(0, packed.size()), packed);
        assertEquals(expected.size() - packed.size(), packer.pendingTokens());
        assertTrue(packer.pendingTokens() < packer.batchTokens());
        for (int i = 0; i < batches.size(); i++) {
            assertEquals(i, batches.get(i).seq());
            assertEquals(10, batches.get(i).tokenCount());
            assertEquals(3, batches.get(i).lineage().partition());
        }
    }

    @Test
    void recordsDocumentStartsPerRowAndLineageOffsets() {
        RowPacker packer = new RowPacker("run", "tok", 0, 2, 4);
        assertEquals(List.of(), packer.append(new int[] {11, 12, 13, EOS}, 10));   // fills row 0
        List<TokenBatch> batches = packer.append(new int[] {21, 22, EOS}, 11);      // row 1 starts a doc
        assertEquals(List.of(), batches);
        batches = packer.append(new int[] {31, 32, 33, 34, EOS}, 12);              // crosses into the next batch

        TokenBatch first = batches.get(0);
        assertArrayEquals(new int[] {11, 12, 13, EOS, 21, 22, EOS, 31}, first.tokens());
        assertArrayEquals(new int[] {0}, first.docStarts()[0]);
        assertArrayEquals(new int[] {0, 3}, first.docStarts()[1]);
        assertEquals(new TokenBatch.Lineage(0, 10, 12), first.lineage());

        packer.append(new int[] {41, 42, EOS}, 13);
        batches = packer.append(new int[] {51, 52, EOS}, 14);
        TokenBatch second = batches.get(0);
        assertArrayEquals(new int[] {32, 33, 34, EOS, 41, 42, EOS, 51}, second.tokens());
        assertArrayEquals(new int[] {}, second.docStarts()[0], "row 0 continues document 12");
        assertArrayEquals(new int[] {0, 3}, second.docStarts()[1]);
        assertEquals(new TokenBatch.Lineage(0, 12, 14), second.lineage());
    }

    @Test
    void stateRoundTripContinuesExactlyWhereItStopped() {
        Random random = new Random(11);
        List<int[]> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            docs.add(document(random, 1 + random.nextInt(9)));
        }
        RowPacker straight = new RowPacker("run", "tok", 1, 3, 4);
        List<TokenBatch> expected = new ArrayList<>();
        docs.forEach(d -> expected.addAll(straight.append(d, docs.indexOf(d))));

        List<TokenBatch> actual = new ArrayList<>();
        byte[] state = null;
        for (int i = 0; i < docs.size(); i++) {
            RowPacker restored = new RowPacker("run", "tok", 1, 3, 4).restore(state);
            actual.addAll(restored.append(docs.get(i), i));
            state = restored.toBytes();
        }
        assertEquals(expected, actual);
    }

    @Test
    void oneLargeDocumentFillsManyBatches() {
        RowPacker packer = new RowPacker("run", "tok", 0, 2, 8);
        List<TokenBatch> batches = packer.append(document(new Random(1), 100), 5);
        assertEquals(6, batches.size());
        assertEquals(new TokenBatch.Lineage(0, 5, 5), batches.get(3).lineage());
        assertEquals(101 - 96, packer.pendingTokens(), "100 words and EOS, 6 batches of 16");
    }

    private static int[] document(Random random, int words) {
        int[] tokens = new int[words + 1];
        for (int i = 0; i < words; i++) {
            tokens[i] = 1 + random.nextInt(500);
        }
        tokens[words] = EOS;
        return tokens;
    }
}
