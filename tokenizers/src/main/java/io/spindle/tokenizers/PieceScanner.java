package io.spindle.tokenizers;

/**
 * The two pre-tokenizer regexes of {@link PreTokenizerPattern}, hand-written as a scanner over the
 * characters: the same pieces as {@link java.util.regex.Pattern} (and Oniguruma) find, without a regex
 * engine's backtracking and allocation. Tests compare it with the regex on random and adversarial text.
 *
 * <p>Character classes follow Java's {@code UNICODE_CHARACTER_CLASS}: {@code \p{L}} the five letter
 * categories, {@code \p{N}} the three number categories, {@code \s} the Unicode White_Space property.
 * A lone surrogate is neither, like any other symbol.
 */
final class PieceScanner {

    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;

    /**
     * Classes of the first three planes (the BMP, then emoji, historic scripts and the CJK extensions), computed
     * once: 192 KiB, of which only the lines of the scripts a corpus uses are ever read. Classifying pairs on
     * each sight took 5% of the tokenizer service's stream threads on samples/. Higher planes are looked up.
     */
    private static final byte[] CLASSES = new byte[0x30000];

    static {
        for (int c = 0; c < CLASSES.length; c++) {
            CLASSES[c] = classify(c);
        }
    }

    private PieceScanner() {
    }

    static byte classify(int cp) {
        int type = Character.getType(cp);
        switch (type) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
                return LETTER;
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                return NUMBER;
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return SPACE;
            default:
                return (cp >= 0x9 && cp <= 0xD) || cp == 0x85 ? SPACE : OTHER;
        }
    }

    /**
     * The class of the code point starting at {@code i} (a lone surrogate is OTHER). A pair is only a pair
     * within {@code end}: each stretch between special tokens is cut on its own, as Hugging Face does.
     */
    private static byte classAt(char[] s, int i, int end) {
        char c = s[i];
        if (!Character.isHighSurrogate(c) || i + 1 >= end || !Character.isLowSurrogate(s[i + 1])) {
            return CLASSES[c];
        }
        int cp = Character.toCodePoint(c, s[i + 1]);
        return cp < CLASSES.length ? CLASSES[cp] : classify(cp);
    }

    /** Chars taken by the code point at {@code i}: 2 for a surrogate pair, else 1. */
    private static int width(char[] s, int i, int end) {
        return Character.isHighSurrogate(s[i]) && i + 1 < end && Character.isLowSurrogate(s[i + 1]) ? 2 : 1;
    }

    /** End of the run of code points of class {@code cls} starting at {@code i}. */
    private static int runEnd(char[] s, int i, int end, byte cls) {
        while (i < end && classAt(s, i, end) == cls) {
            i += width(s, i, end);
        }
        return i;
    }

    /**
     * Cuts the chars [from, to) of {@code s} into pieces, adding the end of each to {@code ends} (a piece starts
     * where the one before it ended). Ends are collected, not handed to a callback piece by piece: the scanner's
     * loop and the encoder's then compile as two small loops, instead of one whose speed depended on the JIT
     * inlining a callback through several levels (the same encoder ran 3x slower in one JVM than in another).
     * Over a char array rather than a String: the encoder copies each document into one once, and every read is
     * then a plain array load, where String.charAt checks the string's coder (Latin-1 or UTF-16) on each char.
     */
    static void scan(PreTokenizerPattern pattern, char[] s, int from, int to, IntList ends) {
        if (pattern == PreTokenizerPattern.GPT2) {
            scanGpt2(s, from, to, ends);
        } else {
            scanCl100k(s, from, to, ends);
        }
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    private static void scanGpt2(char[] s, int from, int end, IntList ends) {
        int i = from;
        while (i < end) {
            int contraction = contraction(s, i, end, false);
            if (contraction > 0) {
                ends.add(i + contraction);
                i += contraction;
                continue;
            }
            char c = s[i];
            int j = c == ' ' && i + 1 < end ? i + 1 : i;
            byte cls = classAt(s, j, end);
            if (cls != SPACE) {
                int stop = runEnd(s, j, end, cls);
                ends.add(stop);
                i = stop;
                continue;
            }
            i = whitespace(s, i, end, ends);
        }
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
     * |\s*[\r\n]+|\s+(?!\S)|\s+}
     */
    private static void scanCl100k(char[] s, int from, int end, IntList ends) {
        int i = from;
        while (i < end) {
            int contraction = contraction(s, i, end, true);
            if (contraction > 0) {
                ends.add(i + contraction);
                i += contraction;
                continue;
            }
            char c = s[i];
            byte cls = classAt(s, i, end);
            int w = width(s, i, end);
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (cls == LETTER) {
                int stop = runEnd(s, i, end, LETTER);
                ends.add(stop);
                i = stop;
                continue;
            }
            if (cls != NUMBER && c != '\r' && c != '\n' && i + w < end && classAt(s, i + w, end) == LETTER) {
                int stop = runEnd(s, i + w, end, LETTER);
                ends.add(stop);
                i = stop;
                continue;
            }
            // \p{N}{1,3}
            if (cls == NUMBER) {
                int stop = i;
                for (int n = 0; n < 3 && stop < end && classAt(s, stop, end) == NUMBER; n++) {
                    stop += width(s, stop, end);
                }
                ends.add(stop);
                i = stop;
                continue;
            }
            // ' '?[^\s\p{L}\p{N}]+[\r\n]*
            int j = c == ' ' && i + 1 < end ? i + 1 : i;
            if (classAt(s, j, end) == OTHER) {
                int stop = runEnd(s, j, end, OTHER);
                while (stop < end && (s[stop] == '\r' || s[stop] == '\n')) {
                    stop++;
                }
                ends.add(stop);
                i = stop;
                continue;
            }
            // \s*[\r\n]+ : the whitespace run up to and including its last line break
            int run = runEnd(s, i, end, SPACE);
            int lastBreak = -1;
            for (int k = run - 1; k >= i; k--) {
                char ck = s[k];
                if (ck == '\r' || ck == '\n') {
                    lastBreak = k;
                    break;
                }
            }
            if (lastBreak >= 0) {
                ends.add(lastBreak + 1);
                i = lastBreak + 1;
                continue;
            }
            i = whitespace(s, i, end, ends);
        }
    }

    /** {@code \s+(?!\S)|\s+} at a whitespace char: the run, less its last char when a non-space follows. */
    private static int whitespace(char[] s, int i, int end, IntList ends) {
        int run = runEnd(s, i, end, SPACE);
        if (run < end) {
            int last = run - 1; // whitespace is always in the BMP, so one char
            if (last > i) {
                run = last;
            }
        }
        ends.add(run);
        return run;
    }

    /** Length of a contraction ('s 't 're 've 'm 'll 'd) at {@code i}, or 0. */
    private static int contraction(char[] s, int i, int end, boolean ignoreCase) {
        if (s[i] != '\'' || i + 1 >= end) {
            return 0;
        }
        char a = s[i + 1];
        if (is(a, 's', ignoreCase) || is(a, 't', ignoreCase) || is(a, 'm', ignoreCase) || is(a, 'd', ignoreCase)) {
            return 2;
        }
        if (i + 2 >= end) {
            return 0;
        }
        char b = s[i + 2];
        if ((is(a, 'r', ignoreCase) && is(b, 'e', ignoreCase))
                || (is(a, 'v', ignoreCase) && is(b, 'e', ignoreCase))
                || (is(a, 'l', ignoreCase) && is(b, 'l', ignoreCase))) {
            return 3;
        }
        return 0;
    }

    /**
     * Whether {@code c} is the ASCII letter {@code lower}, in either case when ignoring case. Java's
     * {@code (?i)} under {@code UNICODE_CHARACTER_CLASS} folds Unicode case, so U+017F (long s) is an 's'
     * too, as it is for Oniguruma.
     */
    private static boolean is(char c, char lower, boolean ignoreCase) {
        if (c == lower) {
            return true;
        }
        return ignoreCase && (c == Character.toUpperCase(lower) || (lower == 's' && c == '\u017F'));
    }
}
