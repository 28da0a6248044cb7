package io.spindle.cli.tokenizer;

import io.spindle.tokenizers.BpeTrainer;
import io.spindle.tokenizers.BpeVocabulary;
import io.spindle.tokenizers.PreTokenizerPattern;
import io.spindle.tokenizers.SpecialTokens;
import io.spindle.tokenizers.TokenizerJsonWriter;
import io.spindle.tokenizers.WordCounts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code spindle train-tokenizer}: trains a byte-level BPE vocabulary on text files and writes a
 * {@code tokenizer.json} that DJL's HuggingFaceTokenizer (and Python's tokenizers) load.
 *
 * <pre>
 * train-tokenizer [--vocab-size N] [--pattern gpt2|cl100k] [--min-frequency N] --out PATH INPUT...
 * </pre>
 *
 * Exit codes: 0 done, 1 input/output failure, 2 bad usage. Progress goes to stderr, so stdout
 * carries only the one-line result.
 */
public final class TrainTokenizerCommand {

    public static final int DEFAULT_VOCAB_SIZE = 8192;

    static final String USAGE = String.join("\n",
            "usage: spindle train-tokenizer [options] --out PATH INPUT...",
            "  INPUT                 files or folders: plain text, .jsonl (the \"text\" field), or .gz of either;",
            "                        folders are searched for .txt .text .md .jsonl (+ .gz)",
            "  --out PATH            where to write tokenizer.json (required)",
            "  --vocab-size N        total tokens incl. 3 specials and 256 bytes (default " + DEFAULT_VOCAB_SIZE + ")",
            "  --pattern NAME        pre-tokenizer regex: gpt2 (default) or cl100k",
            "  --min-frequency N     never merge a pair seen fewer than N times (default 2)",
            "special tokens: <|endoftext|>=0 (EOS), <|bos|>=1, <|pad|>=2; byte b has id 3+b");

    private TrainTokenizerCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("train-tokenizer: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        try {
            return train(options, out, err);
        } catch (IOException | RuntimeException e) {
            err.println("train-tokenizer: " + e);
            return 1;
        }
    }

    private static int train(Options options, PrintStream out, PrintStream err) throws IOException {
        long start = System.nanoTime();
        WordCounts counts = new WordCounts(options.pattern);
        CorpusReader reader = new CorpusReader(counts::add);
        reader.read(options.inputs);
        double readSeconds = seconds(System.nanoTime() - start);
        err.printf(Locale.ROOT, "read %d files, %d texts, %.1f M chars, %d pieces, %d distinct in %.1f s%n",
                reader.files(), reader.texts(), reader.chars() / 1e6, counts.pieces(), counts.distinctWords(), readSeconds);
        if (reader.skippedLines() > 0) {
            err.printf(Locale.ROOT, "skipped %d JSONL lines without a string \"text\" field%n", reader.skippedLines());
        }
        if (counts.pieces() == 0) {
            err.println("train-tokenizer: no text found in the inputs");
            return 1;
        }

        BpeTrainer trainer = new BpeTrainer(options.vocabSize, options.minFrequency,
                (merges, added, wanted, nanos) -> err.printf(Locale.ROOT,
                        "merges %d, tokens %d/%d, %.0f merges/s, %.1f s%n",
                        merges, added, wanted, merges / Math.max(seconds(nanos), 1e-9), seconds(nanos)),
                1000);
        long trainStart = System.nanoTime();
        BpeVocabulary vocabulary = trainer.train(counts);
        double trainSeconds = seconds(System.nanoTime() - trainStart);
        if (vocabulary.size() < options.vocabSize) {
            err.printf(Locale.ROOT, "note: stopped at %d tokens: no pair left with count >= %d%n",
                    vocabulary.size(), options.minFrequency);
        }
        TokenizerJsonWriter.write(vocabulary, options.out);
        out.printf(Locale.ROOT, "wrote %s: %d tokens (%d merges, pattern %s) in %.1f s (training %.1f s)%n",
                options.out, vocabulary.size(), vocabulary.merges().size(), options.pattern.cliName(),
                seconds(System.nanoTime() - start), trainSeconds);
        return 0;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Parsed command line. */
    record Options(int vocabSize, PreTokenizerPattern pattern, long minFrequency, Path out,
                   List<Path> inputs, boolean help) {

        static Options parse(String[] args) {
            int vocabSize = DEFAULT_VOCAB_SIZE;
            PreTokenizerPattern pattern = PreTokenizerPattern.GPT2;
            long minFrequency = 2;
            Path out = null;
            List<Path> inputs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                switch (name) {
                    case "-h", "--help" -> {
                        return new Options(vocabSize, pattern, minFrequency, out, inputs, true);
                    }
                    case "--vocab-size" -> vocabSize = parseInt(name, value != null ? value : next(args, ++i, name));
                    case "--min-frequency" -> minFrequency = parseInt(name, value != null ? value : next(args, ++i, name));
                    case "--pattern" -> pattern = PreTokenizerPattern.fromCliName(value != null ? value : next(args, ++i, name));
                    case "--out" -> out = Path.of(value != null ? value : next(args, ++i, name));
                    default -> {
                        if (arg.startsWith("-") && arg.length() > 1) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        inputs.add(Path.of(arg));
                    }
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out is required");
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("no input files or folders given");
            }
            if (vocabSize < SpecialTokens.FIRST_MERGE_ID) {
                throw new IllegalArgumentException("--vocab-size must be at least " + SpecialTokens.FIRST_MERGE_ID);
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("--min-frequency must be at least 1");
            }
            return new Options(vocabSize, pattern, minFrequency, out, List.copyOf(inputs), false);
        }

        private static String next(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int parseInt(String option, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " expects a number, got '" + value + "'");
            }
        }
    }
}
