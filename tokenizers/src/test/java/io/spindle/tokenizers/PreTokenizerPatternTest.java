package io.spindle.tokenizers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreTokenizerPatternTest {

    private static List<String> pieces(PreTokenizerPattern p, String text) {
        List<String> out = new ArrayList<>();
        p.forEachPiece(text, out::add);
        return out;
    }

    @Test
    void gpt2SplitsLikeGpt2() {
        assertEquals(List.of("Hello", ",", " world", "'s", "  ", " 2024", "!!", "\n", "\n", "ok", "  "),
                pieces(PreTokenizerPattern.GPT2, "Hello, world's   2024!!\n\nok  "));
    }

    @Test
    void gpt2UsesUnicodeWhitespace() {
        // NBSP is \s for Oniguruma; Java needs UNICODE_CHARACTER_CLASS to agree.
        assertEquals(List.of("a", "\u00A0", "b"), pieces(PreTokenizerPattern.GPT2, "a\u00A0b"));
    }

    @Test
    void cl100kGroupsDigitsInThreesAndKeepsNewlines() {
        assertEquals(List.of("I", "'M", " at", " ", "123", "456", "7", ".\n\n", "Ok"),
                pieces(PreTokenizerPattern.CL100K, "I'M at 1234567.\n\nOk"));
    }

    @Test
    void cliNames() {
        assertEquals(PreTokenizerPattern.CL100K, PreTokenizerPattern.fromCliName("CL100K"));
        assertEquals(PreTokenizerPattern.GPT2, PreTokenizerPattern.fromCliName("gpt2"));
        assertThrows(IllegalArgumentException.class, () -> PreTokenizerPattern.fromCliName("o200k"));
    }
}
