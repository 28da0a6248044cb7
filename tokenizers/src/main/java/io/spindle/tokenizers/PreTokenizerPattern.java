package io.spindle.tokenizers;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regular expressions that cut text into pieces before BPE; merges never cross a piece
 * boundary. The same string goes into {@code tokenizer.json} (where the Rust tokenizers library
 * compiles it with Oniguruma) and into {@link java.util.regex.Pattern} here.
 *
 * <p>{@code UNICODE_CHARACTER_CLASS} matters: without it Java's {@code \s} is ASCII-only, while
 * Oniguruma's {@code \s} also matches NBSP, U+3000 and the other Unicode spaces.
 */
public enum PreTokenizerPattern {

    /** GPT-2's pattern, which the Hugging Face ByteLevel pre-tokenizer applies when use_regex=true. */
    GPT2("gpt2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),

    /**
     * tiktoken's cl100k_base pattern as Hugging Face writes it (e.g. Llama 3): case-insensitive
     * contractions, digits in groups of at most three, newlines kept apart from other whitespace.
     */
    CL100K("cl100k", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private final String cliName;
    private final String regex;
    private final Pattern compiled;

    PreTokenizerPattern(String cliName, String regex) {
        this.cliName = cliName;
        this.regex = regex;
        this.compiled = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The name used on the command line ({@code --pattern gpt2|cl100k}). */
    public String cliName() {
        return cliName;
    }

    /** The regular expression exactly as it is written to {@code tokenizer.json}. */
    public String regex() {
        return regex;
    }

    public static PreTokenizerPattern fromCliName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (PreTokenizerPattern p : values()) {
            if (p.cliName.equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pattern '" + name + "' (expected gpt2 or cl100k)");
    }

    /**
     * Hands every piece of {@code text} to {@code sink} in order, as the regex would cut it (see
     * {@link PieceScanner}, which does the same without a regex engine, several times faster).
     */
    public void forEachPiece(CharSequence text, Consumer<String> sink) {
        char[] chars = text.toString().toCharArray();
        IntList ends = new IntList(64);
        PieceScanner.scan(this, chars, 0, chars.length, ends);
        int start = 0;
        for (int k = 0; k < ends.size(); k++) {
            sink.accept(new String(chars, start, ends.get(k) - start));
            start = ends.get(k);
        }
    }

    /**
     * The pieces by {@link java.util.regex.Pattern}: the definition the scanner is tested against. Text between two matches is a
     * piece too (Hugging Face's "Isolated" split behaviour), so nothing is ever dropped; with these
     * two patterns every character matches anyway.
     */
    public void forEachPieceByRegex(CharSequence text, Consumer<String> sink) {
        Matcher m = compiled.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) {
                sink.accept(text.subSequence(end, m.start()).toString());
            }
            if (m.end() > m.start()) {
                sink.accept(text.subSequence(m.start(), m.end()).toString());
            }
            end = m.end();
        }
        if (end < text.length()) {
            sink.accept(text.subSequence(end, text.length()).toString());
        }
    }
}
