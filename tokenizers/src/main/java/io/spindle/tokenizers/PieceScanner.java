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

    /** Classes of the Basic Multilingual Plane, computed once; the other planes are looked up. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = classify(c);
        }
    }

    /** Receives one piece: the chars [start, end) of the text. */
    @FunctionalInterface
    interface PieceSink {
        void piece(int start, int end);
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

    /** The class of the code point starting at {@code i} (a lone surrogate is OTHER). */
    private static byte classAt(CharSequence s, int i) {
        char c = s.charAt(i);
        if (!Character.isHighSurrogate(c) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
            return BMP[c];
        }
        return classify(Character.toCodePoint(c, s.charAt(i + 1)));
    }

    /** Chars taken by the code point at {@code i}: 2 for a surrogate pair, else 1. */
    private static int width(CharSequence s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)) ? 2 : 1;
    }

    /** End of the run of code points of class {@code cls} starting at {@code i}. */
    private static int runEnd(CharSequence s, int i, int end, byte cls) {
        while (i < end && classAt(s, i) == cls) {
            i += width(s, i);
        }
        return i;
    }

    static void scan(PreTokenizerPattern pattern, CharSequence s, int from, int to, PieceSink sink) {
        if (pattern == PreTokenizerPattern.GPT2) {
            scanGpt2(s, from, to, sink);
        } else {
            scanCl100k(s, from, to, sink);
        }
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    private static void scanGpt2(CharSequence s, int from, int end, PieceSink sink) {
        int i = from;
        while (i < end) {
            int contraction = contraction(s, i, end, false);
            if (contraction > 0) {
                sink.piece(i, i + contraction);
                i += contraction;
                continue;
            }
            char c = s.charAt(i);
            int j = c == ' ' && i + 1 < end ? i + 1 : i;
            byte cls = classAt(s, j);
            if (cls != SPACE) {
                int stop = runEnd(s, j, end, cls);
                sink.piece(i, stop);
                i = stop;
                continue;
            }
            i = whitespace(s, i, end, sink);
        }
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
     * |\s*[\r\n]+|\s+(?!\S)|\s+}
     */
    private static void scanCl100k(CharSequence s, int from, int end, PieceSink sink) {
        int i = from;
        while (i < end) {
            int contraction = contraction(s, i, end, true);
            if (contraction > 0) {
                sink.piece(i, i + contraction);
                i += contraction;
                continue;
            }
            char c = s.charAt(i);
            byte cls = classAt(s, i);
            int w = width(s, i);
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (cls == LETTER) {
                int stop = runEnd(s, i, end, LETTER);
                sink.piece(i, stop);
                i = stop;
                continue;
            }
            if (cls != NUMBER && c != '\r' && c != '\n' && i + w < end && classAt(s, i + w) == LETTER) {
                int stop = runEnd(s, i + w, end, LETTER);
                sink.piece(i, stop);
                i = stop;
                continue;
            }
            // \p{N}{1,3}
            if (cls == NUMBER) {
                int stop = i;
                for (int n = 0; n < 3 && stop < end && classAt(s, stop) == NUMBER; n++) {
                    stop += width(s, stop);
                }
                sink.piece(i, stop);
                i = stop;
                continue;
            }
            // ' '?[^\s\p{L}\p{N}]+[\r\n]*
            int j = c == ' ' && i + 1 < end ? i + 1 : i;
            if (classAt(s, j) == OTHER) {
                int stop = runEnd(s, j, end, OTHER);
                while (stop < end && (s.charAt(stop) == '\r' || s.charAt(stop) == '\n')) {
                    stop++;
                }
                sink.piece(i, stop);
                i = stop;
                continue;
            }
            // \s*[\r\n]+ : the whitespace run up to and including its last line break
            int run = runEnd(s, i, end, SPACE);
            int lastBreak = -1;
            for (int k = run - 1; k >= i; k--) {
                char ck = s.charAt(k);
                if (ck == '\r' || ck == '\n') {
                    lastBreak = k;
                    break;
                }
            }
            if (lastBreak >= 0) {
                sink.piece(i, lastBreak + 1);
                i = lastBreak + 1;
                continue;
            }
            i = whitespace(s, i, end, sink);
        }
    }

    /** {@code \s+(?!\S)|\s+} at a whitespace char: the run, less its last char when a non-space follows. */
    private static int whitespace(CharSequence s, int i, int end, PieceSink sink) {
        int run = runEnd(s, i, end, SPACE);
        if (run < end) {
            int last = run - 1; // whitespace is always in the BMP, so one char
            if (last > i) {
                run = last;
            }
        }
        sink.piece(i, run);
        return run;
    }

    /** Length of a contraction ('s 't 're 've 'm 'll 'd) at {@code i}, or 0. */
    private static int contraction(CharSequence s, int i, int end, boolean ignoreCase) {
        if (s.charAt(i) != '\'' || i + 1 >= end) {
            return 0;
        }
        char a = s.charAt(i + 1);
        if (is(a, 's', ignoreCase) || is(a, 't', ignoreCase) || is(a, 'm', ignoreCase) || is(a, 'd', ignoreCase)) {
            return 2;
        }
        if (i + 2 >= end) {
            return 0;
        }
        char b = s.charAt(i + 2);
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
