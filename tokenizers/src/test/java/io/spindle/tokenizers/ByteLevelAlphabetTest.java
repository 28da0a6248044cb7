package io.spindle.tokenizers;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteLevelAlphabetTest {

    @Test
    void everyByteHasItsOwnCharacterAndComesBack() {
        Set<Character> seen = new HashSet<>();
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            seen.add(ByteLevelAlphabet.charFor(b));
            assertEquals(b, ByteLevelAlphabet.byteFor(ByteLevelAlphabet.charFor(b)));
            all[b] = (byte) b;
        }
        assertEquals(256, seen.size());
        assertArrayEquals(all, ByteLevelAlphabet.decode(ByteLevelAlphabet.encode(all)));
    }

    @Test
    void matchesGpt2Table() {
        assertEquals('!', ByteLevelAlphabet.charFor('!'));
        assertEquals('\u0120', ByteLevelAlphabet.charFor(' '));   // Ġ
        assertEquals('\u010A', ByteLevelAlphabet.charFor('\n'));  // Ċ
        assertEquals('\u0100', ByteLevelAlphabet.charFor(0));
        assertEquals('\u0143', ByteLevelAlphabet.charFor(0xAD));  // the last unprintable byte
        assertEquals("\u0120caf\u00C3\u00A9", ByteLevelAlphabet.encodeUtf8(" caf\u00E9"));
        assertThrows(IllegalArgumentException.class, () -> ByteLevelAlphabet.decode("\u4E2D"));
    }
}
