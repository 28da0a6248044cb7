package io.spindle.contracts.batch;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The binary layout of {@code train.batches} values, version 1, little-endian. docs/batch-format.md
 * documents it byte by byte; the golden vectors in this module's tests pin it.
 */
public final class BatchCodec {

    /** "SPNB" read as the first four bytes. */
    public static final int MAGIC = 0x424E5053;
    public static final byte VERSION = 1;

    /**
     * Largest encoded batch accepted, before compression. Kafka's defaults cap a record at about 1 MiB
     * (broker {@code message.max.bytes} 1,048,588; producer {@code max.request.size} 1,048,576); half of
     * that leaves room for headers, batching overhead and brokers configured a little lower.
     */
    public static final int MAX_ENCODED_BYTES = 512 * 1024;

    /** Positions in a row are stored as uint16. */
    public static final int MAX_ROW_LENGTH = 0xFFFF;

    private static final int FIXED_HEADER_BYTES = 44;
    private static final int CHECKSUM_BYTES = 4;

    public static byte[] encode(TokenBatch batch) {
        if (batch.rowLength() > MAX_ROW_LENGTH) {
            throw new BatchFormatException("row length " + batch.rowLength() + " exceeds " + MAX_ROW_LENGTH);
        }
        byte[] runId = utf8(batch.runId(), "run id");
        byte[] tokenizerId = utf8(batch.tokenizerId(), "tokenizer id");
        int width = tokenWidth(batch.tokens());
        long size = encodedSize(batch, runId.length, tokenizerId.length, width);
        if (size > MAX_ENCODED_BYTES) {
            throw new BatchFormatException("batch " + batch.id() + " encodes to " + size
                    + " bytes, over the limit of " + MAX_ENCODED_BYTES + "; use fewer rows per batch");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).put(VERSION).put((byte) width).putShort((short) 0);
        out.putInt(batch.rows()).putInt(batch.rowLength()).putLong(batch.seq());
        TokenBatch.Lineage lineage = batch.lineage();
        out.putInt(lineage.partition()).putLong(lineage.firstOffset()).putLong(lineage.lastOffset());
        out.putShort((short) runId.length).put(runId);
        out.putShort((short) tokenizerId.length).put(tokenizerId);
        for (int token : batch.tokens()) {
            if (width == 2) {
                out.putShort((short) token);
            } else {
                out.putInt(token);
            }
        }
        for (int[] starts : batch.docStarts()) {
            out.putShort((short) starts.length);
            int previous = -1;
            for (int position : starts) {
                if (position <= previous || position >= batch.rowLength()) {
                    throw new BatchFormatException("doc starts must ascend within the row, got " + position);
                }
                out.putShort((short) position);
                previous = position;
            }
        }
        out.putInt(checksum(out.array(), out.position()));
        return out.array();
    }

    public static TokenBatch decode(byte[] bytes) {
        if (bytes == null) {
            throw new BatchFormatException("null batch");
        }
        if (bytes.length > MAX_ENCODED_BYTES) {
            throw new BatchFormatException("batch of " + bytes.length + " bytes exceeds " + MAX_ENCODED_BYTES);
        }
        if (bytes.length < FIXED_HEADER_BYTES + CHECKSUM_BYTES) {
            throw new BatchFormatException("truncated batch: " + bytes.length + " bytes is shorter than the header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new BatchFormatException(String.format("bad magic 0x%08x, expected 0x%08x (\"SPNB\")", magic, MAGIC));
        }
        byte version = in.get();
        if (version != VERSION) {
            throw new BatchFormatException("unsupported batch version " + version + ", this reader knows " + VERSION);
        }
        int width = in.get();
        if (width != 2 && width != 4) {
            throw new BatchFormatException("bad token width " + width);
        }
        in.getShort(); // flags, reserved
        try {
            int rows = in.getInt();
            int rowLength = in.getInt();
            if (rows <= 0 || rowLength <= 1 || rowLength > MAX_ROW_LENGTH
                    || (long) rows * rowLength * width > bytes.length) {
                throw new BatchFormatException("bad shape " + rows + "x" + rowLength + " for " + bytes.length + " bytes");
            }
            long seq = in.getLong();
            TokenBatch.Lineage lineage = new TokenBatch.Lineage(in.getInt(), in.getLong(), in.getLong());
            String runId = readString(in);
            String tokenizerId = readString(in);
            int[] tokens = new int[rows * rowLength];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = width == 2 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
            }
            int[][] docStarts = new int[rows][];
            for (int r = 0; r < rows; r++) {
                int[] starts = new int[Short.toUnsignedInt(in.getShort())];
                for (int i = 0; i < starts.length; i++) {
                    starts[i] = Short.toUnsignedInt(in.getShort());
                }
                docStarts[r] = starts;
            }
            int expected = checksum(bytes, in.position());
            int actual = in.getInt();
            if (actual != expected) {
                throw new BatchFormatException(String.format("checksum mismatch: stored 0x%08x, computed 0x%08x", actual, expected));
            }
            if (in.hasRemaining()) {
                throw new BatchFormatException(in.remaining() + " trailing bytes after the checksum");
            }
            return new TokenBatch(runId, seq, rows, rowLength, tokens, docStarts, tokenizerId, lineage);
        } catch (BufferUnderflowException e) {
            throw new BatchFormatException("truncated batch: " + bytes.length + " bytes end before the layout does");
        }
    }

    /** 2 when every id fits in uint16, else 4. */
    static int tokenWidth(int[] tokens) {
        for (int token : tokens) {
            if (token < 0 || token > 0xFFFF) {
                return 4;
            }
        }
        return 2;
    }

    private static long encodedSize(TokenBatch batch, int runIdBytes, int tokenizerIdBytes, int width) {
        long size = FIXED_HEADER_BYTES + 2L + runIdBytes + 2L + tokenizerIdBytes
                + (long) batch.tokens().length * width + CHECKSUM_BYTES;
        for (int[] starts : batch.docStarts()) {
            size += 2L + 2L * starts.length;
        }
        return size;
    }

    private static byte[] utf8(String value, String what) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new BatchFormatException(what + " is longer than 65535 bytes");
        }
        return bytes;
    }

    private static String readString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private BatchCodec() {
    }
}
