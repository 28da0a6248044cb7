package io.spindle.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Texts that stress a byte-level BPE encoder: hand-picked edge cases (emoji with joiners and skin tones,
 * CJK, combining marks, RTL scripts, contractions, Unicode spaces, long whitespace and digit runs, special
 * tokens inline) and seeded random mixes of them. Tests use them to compare the fast path with Hugging
 * Face's tokenizer, and the tokenizer service runs the same comparison at start-up.
 */
public final class ProbeTexts {

    private ProbeTexts() {
    }

    /** The edge cases, the adversarial runs and {@code randomCount} random strings. */
    public static List<String> all(long seed, int randomCount) {
        List<String> all = new ArrayList<>(edgeCases());
        all.addAll(adversarialRuns());
        all.addAll(randomStrings(seed, randomCount));
        return all;
    }

    /** Long runs of one class, which make a pre-tokenizer or BPE loop quadratic if it is careless. */
    public static List<String> adversarialRuns() {
        return List.of(
                " ".repeat(5000) + "x" + " ".repeat(3000),
                "\n".repeat(2000) + " \n \r\n\t".repeat(500),
                "1234567890".repeat(500) + " 42 " + "0".repeat(3000),
                "\u0661\u0662\u0663".repeat(400) + "\u2167\u00BD".repeat(200),
                "a".repeat(4000) + " " + "ab".repeat(2000),
                "\u4E2D\u6587".repeat(2000),
                "\uD83D\uDE00".repeat(1000) + "\u200D\uD83D\uDC69".repeat(300),
                "e\u0301".repeat(1500) + "\u0351\u036B\u0343".repeat(500),
                "\u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \u200F\u202Eabc\u202C ".repeat(200),
                "!?.,;:-".repeat(800) + "'s'S'll'LL're".repeat(200),
                "\u00A0\u3000\u2003\u2009\u0085\u2028\u2029".repeat(300) + "end");
    }

    /** Strings that stress the regexes, the byte-level mapping and multi-byte merges. */
    public static List<String> edgeCases() {
        return List.of(
                "Hello, world! This is a normal English sentence.",
                "The quick brown fox jumps over the lazy dog; 1234567 times, at 3.14159 m/s.",
                "I'm sure they'll say we've done what you'd expect: it's theirs, isn't it?",
                "DON'T SHOUT. I'M LISTENING. THEY'LL KNOW. WE'VE SEEN IT.",
                "emoji: \uD83D\uDE00\uD83D\uDE03\uD83C\uDF89 family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 flag \uD83C\uDDEB\uD83C\uDDF7 thumbs \uD83D\uDC4D\uD83C\uDFFD ok",
                "\uD83D\uDE80\uD83D\uDE80\uD83D\uDE80 rockets and \u2764\uFE0F hearts \u2764\uFE0F\u2764\uFE0F",
                "CJK: \u6211\u4EEC\u5728\u5B66\u4E60\u8BED\u8A00\u6A21\u578B\u3002\u65E5\u672C\u8A9E\u306E\u30C6\u30AD\u30B9\u30C8\u3067\u3059\u3002\uD55C\uAD6D\uC5B4 \uD14D\uC2A4\uD2B8",
                "\u6211\u4EEC\u6211\u4EEC\u6211\u4EEC\u5B66\u4E60\u5B66\u4E60",
                "combining: e\u0301 a\u0300 n\u0303 o\u0308 \u1EC7 Ame\u0301lie cafe\u0301 na\u0308ive",
                "precomposed: caf\u00E9 na\u00EFve \u00FCber Stra\u00DFe \u00C5ngstr\u00F6m",
                "Hindi: \u0928\u092E\u0938\u094D\u0924\u0947 \u0926\u0941\u0928\u093F\u092F\u093E; Arabic: \u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
                "Zalgo: Z\u0351\u036B\u0343a\u0306\u0310l\u0352g\u0344o\u0308\u0307",
                "  leading spaces and trailing spaces   ",
                "tabs\tand\t\ttabs\t",
                "new\nlines\n\nand\n\n\nmore\n",
                "windows\r\nline\r\nendings\r\n\r\n",
                "mixed   \t \n  \n\t whitespace \u00A0nbsp\u00A0\u00A0 ideographic\u3000space\u2003em\u2009thin",
                "          ",
                "\n\n\n",
                " ",
                "a",
                "!!!???...;;;---",
                "code: for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // \"quoted\" \\backslash\\",
                "url https://example.com/path?q=1&r=two#frag and mail a.b@example.org",
                "numbers 0 00 000 0000 12345678901234567890 1,000,000.00 \u0661\u0662\u0663 \u2167 \u00BD",
                "apostrophes ' '' 's 'S 'll 'LL \u2019s curly\u2019s",
                "case folding in contractions: it'\u017F (long s) and he'\u212A and I'\u0130",
                "control chars \u0001\u0002\u0007\u001B[0m and DEL \u007F and soft\u00ADhyphen",
                "specials inline: end<|endoftext|>start <|bos|> x <|pad|><|pad|> y",
                "almost special <|endof text|> <|bos| <pad>",
                "math \u2200x\u2208\u211D: x\u00B2 \u2265 0 \u2211 \u222B \u221E \u2260 \u2248",
                "Greek \u0391\u03B8\u03AE\u03BD\u03B1 and Cyrillic \u041C\u043E\u0441\u043A\u0432\u0430 and Hebrew \u05E9\u05DC\u05D5\u05DD",
                "supplementary letters \uD835\uDC00\uD835\uDC01 \uD801\uDC00 and music \uD834\uDD1E",
                "long word pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
                "repeated aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb abababababababab",
                "");
    }

    /** Seeded random strings drawn from letters, digits, spaces, punctuation, emoji, CJK and marks. */
    public static List<String> randomStrings(long seed, int count) {
        String[] atoms = {
                "a", "b", "e", "t", "the", "The", "ing", "tion", "s", "'", "'s", "'ll", "'T", "0", "7", "42", "1999",
                " ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\u00A0", "\u3000",
                ".", ",", "!", "?", "-", "--", "\"", "(", ")", "#", "@", "\\", "/", "<", "|>", "<|", "_",
                "\u00E9", "e\u0301", "\u0308", "\u00DF", "\u00F1", "\u4E2D", "\u6587", "\u3002", "\u3042", "\uD55C",
                "\uD83D\uDE00", "\uD83D\uDC4D\uD83C\uDFFD", "\u2764\uFE0F", "\u200D", "\uD83C\uDDE9\uD83C\uDDEA",
                "\u0928\u093F", "\u0645", "\u03B1", "\u0416", "\u00BD", "\u0663", "\uD835\uDC00"
        };
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(24);
            for (int j = 0; j < n; j++) {
                s.append(atoms[random.nextInt(atoms.length)]);
            }
            out.add(s.toString());
        }
        return out;
    }

}
