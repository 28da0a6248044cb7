package io.spindle.contracts.batch;

import java.util.Arrays;
import java.util.Objects;

/**
 * B packed rows of exactly T+1 tokens each, as they travel on {@code train.batches}. Row r holds
 * {@code tokens[r*rowLength, (r+1)*rowLength)}; inputs are its first T tokens and targets its last T.
 *
 * @param runId       the data run that produced the batch
 * @param seq         sequence number of the batch within its lineage partition, from 0
 * @param rows        B
 * @param rowLength   T+1
 * @param tokens      B*(T+1) token ids, row-major
 * @param docStarts   per row, ascending positions where a document's first token sits (for document-masked
 *                    attention and position resets); a row that continues a document does not list 0
 * @param tokenizerId id of the tokenizer that made the ids
 * @param lineage     where the tokens came from
 */
public record TokenBatch(
        String runId,
        long seq,
        int rows,
        int rowLength,
        int[] tokens,
        int[][] docStarts,
        String tokenizerId,
        Lineage lineage) {

    /**
     * The input partition a batch was packed from and the offsets of the first and last document that
     * contributed tokens to it.
     */
    public record Lineage(int partition, long firstOffset, long lastOffset) {
    }

    public TokenBatch {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(tokenizerId, "tokenizerId");
        Objects.requireNonNull(lineage, "lineage");
        if (rows <= 0 || rowLength <= 1) {
            throw new IllegalArgumentException("need rows > 0 and rowLength > 1, got " + rows + "x" + rowLength);
        }
        if (tokens.length != (long) rows * rowLength) {
            throw new IllegalArgumentException("expected " + rows * rowLength + " tokens, got " + tokens.length);
        }
        if (docStarts.length != rows) {
            throw new IllegalArgumentException("expected doc starts for " + rows + " rows, got " + docStarts.length);
        }
    }

    /** Tokens of row r, a copy. */
    public int[] row(int r) {
        return Arrays.copyOfRange(tokens, r * rowLength, (r + 1) * rowLength);
    }

    public int tokenCount() {
        return tokens.length;
    }

    /** {@code partition:seq}, unique per data run. */
    public String id() {
        return lineage.partition() + ":" + seq;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenBatch b
                && runId.equals(b.runId) && seq == b.seq && rows == b.rows && rowLength == b.rowLength
                && Arrays.equals(tokens, b.tokens) && Arrays.deepEquals(docStarts, b.docStarts)
                && tokenizerId.equals(b.tokenizerId) && lineage.equals(b.lineage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runId, seq, rows, rowLength, Arrays.hashCode(tokens), Arrays.deepHashCode(docStarts),
                tokenizerId, lineage);
    }

    @Override
    public String toString() {
        return "TokenBatch[" + runId + " " + id() + " " + rows + "x" + rowLength + " " + tokenizerId + " " + lineage + "]";
    }
}
