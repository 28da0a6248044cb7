package io.spindle.contracts.batch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins the layout documented in docs/batch-format.md with golden vectors, byte for byte. */
class BatchCodecTest {

    static final TokenBatch UINT16 = new TokenBatch("r", 7, 2, 3,
            new int[] {1, 2, 3, 4, 5, 65535}, new int[][] {{0}, {1, 2}}, "t", new TokenBatch.Lineage(1, 10, 12));

    static final TokenBatch INT32 = new TokenBatch("run-\u00e9", 1L << 40, 1, 4,
            new int[] {0, 70000, 2, 100_000}, new int[][] {{}}, "tok", new TokenBatch.Lineage(3, 5, 5));

    @Test
    void uint16BatchMatchesGoldenVector() throws IOException {
        assertArrayEquals(golden("batch-v1-uint16.hex"), BatchCodec.encode(UINT16));
        assertEquals(UINT16, BatchCodec.decode(golden("batch-v1-uint16.hex")));
    }

    @Test
    void int32BatchMatchesGoldenVector() throws IOException {
        assertArrayEquals(golden("batch-v1-int32.hex"), BatchCodec.encode(INT32));
        assertEquals(INT32, BatchCodec.decode(golden("batch-v1-int32.hex")));
    }

    @Test
    void headerFieldsSitWhereTheDocumentSaysTheyDo() throws IOException {
        byte[] bytes = golden("batch-v1-uint16.hex");
        assertEquals("SPNB", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[4], "version");
        assertEquals(2, bytes[5], "token width");
        assertEquals(2, bytes[8], "rows, little-endian");
        assertEquals(3, bytes[12], "row length");
        assertEquals(7, bytes[16], "sequence number");
        assertEquals(1, bytes[24], "lineage partition");
        assertEquals(10, bytes[28], "lineage first offset");
        assertEquals(12, bytes[36], "lineage last offset");
    }

    @Test
    void tooLargeBatchIsRefusedWhenEncoding() {
        int rowLength = 1025;
        int rows = BatchCodec.MAX_ENCODED_BYTES / (rowLength * 4) + 1;
        int[] tokens = new int[rows * rowLength];
        Arrays.fill(tokens, 100_000);
        TokenBatch huge = new TokenBatch("r", 0, rows, rowLength, tokens, new int[rows][0], "t",
                new TokenBatch.Lineage(0, 0, 0));
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.encode(huge));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
    }

    @Test
    void tooLargeInputIsRefusedWhenDecoding() {
        BatchFormatException e = assertThrows(BatchFormatException.class,
                () -> BatchCodec.decode(new byte[BatchCodec.MAX_ENCODED_BYTES + 1]));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void truncatedBatchIsRefused() throws IOException {
        byte[] bytes = golden("batch-v1-uint16.hex");
        for (int length : new int[] {0, 10, 47, bytes.length - 5, bytes.length - 1}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(cut));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("checksum"),
                    length + " bytes: " + e.getMessage());
        }
    }

    @Test
    void badMagicIsRefused() throws IOException {
        byte[] bytes = golden("batch-v1-uint16.hex");
        bytes[0] = 'X';
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(bytes));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void unknownVersionIsRefused() throws IOException {
        byte[] bytes = golden("batch-v1-uint16.hex");
        bytes[4] = 2;
        assertThrows(BatchFormatException.class, () -> BatchCodec.decode(bytes));
    }

    @Test
    void flippedTokenByteFailsTheChecksum() throws IOException {
        byte[] bytes = golden("batch-v1-uint16.hex");
        bytes[bytes.length - 12] ^= 0x01;
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(bytes));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void docStartsMustAscendWithinTheRow() {
        TokenBatch bad = new TokenBatch("r", 0, 1, 3, new int[] {1, 2, 3}, new int[][] {{2, 1}}, "t",
                new TokenBatch.Lineage(0, 0, 0));
        assertThrows(BatchFormatException.class, () -> BatchCodec.encode(bad));
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = BatchCodecTest.class.getResourceAsStream("/golden/" + name)) {
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("(?m)#.*$", "").replaceAll("\\s", "");
            return HexFormat.of().parseHex(hex);
        }
    }
}
