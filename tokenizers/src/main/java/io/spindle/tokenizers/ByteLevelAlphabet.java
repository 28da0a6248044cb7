package io.spindle.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's {@code bytes_to_unicode} table: every byte gets a printable Unicode character, so a
 * byte-level token can be written as an ordinary JSON string in {@code tokenizer.json}. Printable
 * Latin-1 bytes map to themselves; the other 68 bytes (controls, space, 0x7F-0xA0, 0xAD) map to
 * U+0100 upwards in byte order, which is why a space shows up as {@code Ġ} and a newline as {@code Ċ}.
 * The Hugging Face ByteLevel pre-tokenizer and decoder use exactly this table.
 */
public final class ByteLevelAlphabet {

    private static final char[] CHAR_FOR_BYTE = new char[256];
    private static final int[] BYTE_FOR_CHAR = new int[512];

    static {
        Arrays.fill(BYTE_FOR_CHAR, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            CHAR_FOR_BYTE[b] = c;
            BYTE_FOR_CHAR[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The printable character standing for {@code unsignedByte} (0..255). */
    public static char charFor(int unsignedByte) {
        return CHAR_FOR_BYTE[unsignedByte];
    }

    /** The byte (0..255) a character stands for, or -1 when the character is not in the table. */
    public static int byteFor(char c) {
        return c < BYTE_FOR_CHAR.length ? BYTE_FOR_CHAR[c] : -1;
    }

    /** Maps raw bytes to their byte-level string, one character per byte. */
    public static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_FOR_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** The byte-level string of a text's UTF-8 encoding. */
    public static String encodeUtf8(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Maps a byte-level string back to its bytes; throws if a character is outside the table. */
    public static byte[] decode(String byteLevel) {
        byte[] bytes = new byte[byteLevel.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = byteFor(byteLevel.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("not a byte-level character: U+"
                        + Integer.toHexString(byteLevel.charAt(i)).toUpperCase() + " in " + byteLevel);
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
