package io.spindle.tokenizer;

import io.spindle.contracts.batch.TokenBatch;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Megatron-style packing for one input partition: documents (each already followed by EOS) are concatenated
 * and cut into batches of B rows of exactly T+1 tokens, with no padding. Tokens that do not yet fill a batch
 * stay pending; {@link #toBytes()} captures them so the state store's changelog can bring them back after a
 * crash.
 */
public final class RowPacker {

    private static final int STATE_VERSION = 1;

    private final String runId;
    private final String tokenizerId;
    private final int partition;
    private final int rows;
    private final int rowLength;

    private long nextSeq;
    private int[] pending = new int[0];
    private int pendingSize;
    /** Pending positions where a document starts, with that document's input offset. */
    private final List<DocStart> docStarts = new ArrayList<>();
    /** Offset of the document whose tokens continue at pending position 0, or -1 when position 0 starts one. */
    private long carriedOffset = -1;

    private record DocStart(int position, long offset) {
    }

    public RowPacker(String runId, String tokenizerId, int partition, int rows, int rowLength) {
        this.runId = runId;
        this.tokenizerId = tokenizerId;
        this.partition = partition;
        this.rows = rows;
        this.rowLength = rowLength;
    }

    public int batchTokens() {
        return rows * rowLength;
    }

    public int pendingTokens() {
        return pendingSize;
    }

    /** Adds one document's tokens (EOS included) read at {@code offset}; returns the batches it completes. */
    public List<TokenBatch> append(int[] documentTokens, long offset) {
        if (documentTokens.length == 0) {
            return List.of();
        }
        docStarts.add(new DocStart(pendingSize, offset));
        ensureCapacity(pendingSize + documentTokens.length);
        System.arraycopy(documentTokens, 0, pending, pendingSize, documentTokens.length);
        pendingSize += documentTokens.length;

        List<TokenBatch> batches = new ArrayList<>();
        while (pendingSize >= batchTokens()) {
            batches.add(cutBatch());
        }
        return batches;
    }

    private TokenBatch cutBatch() {
        int size = batchTokens();
        int[] tokens = Arrays.copyOf(pending, size);

        int[][] rowStarts = new int[rows][];
        List<List<Integer>> perRow = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            perRow.add(new ArrayList<>());
        }
        long firstOffset = carriedOffset;
        long lastOffset = carriedOffset;
        int consumed = 0;
        for (DocStart start : docStarts) {
            if (start.position() >= size) {
                break;
            }
            perRow.get(start.position() / rowLength).add(start.position() % rowLength);
            if (firstOffset < 0) {
                firstOffset = start.offset();
            }
            lastOffset = start.offset();
            consumed++;
        }
        for (int r = 0; r < rows; r++) {
            rowStarts[r] = perRow.get(r).stream().mapToInt(Integer::intValue).toArray();
        }

        List<DocStart> remaining = new ArrayList<>(docStarts.subList(consumed, docStarts.size()));
        docStarts.clear();
        for (DocStart start : remaining) {
            docStarts.add(new DocStart(start.position() - size, start.offset()));
        }
        boolean nextStartsADocument = !docStarts.isEmpty() && docStarts.get(0).position() == 0;
        carriedOffset = nextStartsADocument || pendingSize == size ? -1 : lastOffset;
        System.arraycopy(pending, size, pending, 0, pendingSize - size);
        pendingSize -= size;

        return new TokenBatch(runId, nextSeq++, rows, rowLength, tokens, rowStarts, tokenizerId,
                new TokenBatch.Lineage(partition, firstOffset, lastOffset));
    }

    private void ensureCapacity(int needed) {
        if (pending.length < needed) {
            pending = Arrays.copyOf(pending, Math.max(needed, pending.length * 2));
        }
    }

    /** The pending tokens and counters, for the state store (written after every document: a ByteBuffer, not a stream). */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + 4 + pendingSize * 4 + 4 + docStarts.size() * 12);
        out.putInt(STATE_VERSION);
        out.putLong(nextSeq);
        out.putLong(carriedOffset);
        out.putInt(pendingSize);
        out.asIntBuffer().put(pending, 0, pendingSize);
        out.position(out.position() + pendingSize * 4);
        out.putInt(docStarts.size());
        for (DocStart start : docStarts) {
            out.putInt(start.position());
            out.putLong(start.offset());
        }
        return out.array();
    }

    /** Restores what {@link #toBytes()} wrote; null means a fresh packer. */
    public RowPacker restore(byte[] state) {
        if (state == null) {
            return this;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(state);
            int version = in.getInt();
            if (version != STATE_VERSION) {
                throw new IllegalStateException("packer state version " + version + " is not " + STATE_VERSION);
            }
            nextSeq = in.getLong();
            carriedOffset = in.getLong();
            pendingSize = in.getInt();
            pending = new int[Math.max(pendingSize, batchTokens())];
            in.asIntBuffer().get(pending, 0, pendingSize);
            in.position(in.position() + pendingSize * 4);
            int starts = in.getInt();
            docStarts.clear();
            for (int i = 0; i < starts; i++) {
                docStarts.add(new DocStart(in.getInt(), in.getLong()));
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IllegalStateException("corrupt packer state", e);
        }
        return this;
    }
}
