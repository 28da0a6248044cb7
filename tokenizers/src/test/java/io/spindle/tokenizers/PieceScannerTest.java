package io.spindle.tokenizers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written scanner must cut text exactly where the regex (its definition) cuts it. */
class PieceScannerTest {

    private static List<String> byScanner(PreTokenizerPattern p, String text) {
        List<String> out = new ArrayList<>();
        p.forEachPiece(text, out::add);
        return out;
    }

    private static List<String> byRegex(PreTokenizerPattern p, String text) {
        List<String> out = new ArrayList<>();
        p.forEachPieceByRegex(text, out::add);
        return out;
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void agreesWithTheRegexOnProbes(PreTokenizerPattern pattern) {
        for (String text : ProbeTexts.all(7, 2000)) {
            assertEquals(byRegex(pattern, text), byScanner(pattern, text), () -> "pieces of " + text);
        }
    }

    /** Random code points from every class the patterns distinguish, lone surrogates included. */
    @ParameterizedTest
    @EnumSource(PreTokenizerPattern.class)
    void agreesWithTheRegexOnRandomCodePoints(PreTokenizerPattern pattern) {
        int[] pool = {' ', ' ', '\t', '\n', '\r', '\u000B', '\u0085', '\u00A0', '\u2028', '\u3000', '\'', '\'', 's', 'S',
                't', 'r', 'e', 'v', 'l', 'L', 'm', 'd', 'D', '\u017F', '\u212A', 'x', '7', '\u0663', '\u2167', '\u00BD',
                '.', '!', '-', '\u00E9', '\u0301', '\u4E2D', '\u05E9', '\u0645', '\u200D', '\u200F', 0x1F600, 0x1D400,
                0x10400, 0x1F3FD, 0xD800, 0xDC00, 0xFFFD, 0xE000, 0x0000, 0x001B};
        Random random = new Random(11);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder s = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int i = 0; i < length; i++) {
                int cp = random.nextInt(8) == 0 ? random.nextInt(0x30000) : pool[random.nextInt(pool.length)];
                s.appendCodePoint(cp);
            }
            String text = s.toString();
            assertEquals(byRegex(pattern, text), byScanner(pattern, text), () -> "pieces of " + escape(text));
        }
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u%04X", c)));
        return out.append('"').toString();
    }
}
