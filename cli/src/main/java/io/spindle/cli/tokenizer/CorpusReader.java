package io.spindle.cli.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Feeds the texts of training files to a consumer.
 *
 * <ul>
 *   <li>{@code *.jsonl}: one JSON object per line, its {@code "text"} field (the shape of
 *       {@code corpus.documents} and {@code samples/corpus.jsonl.gz}); other lines are counted as skipped.</li>
 *   <li>anything else named on the command line: UTF-8 plain text.</li>
 *   <li>{@code .gz} of either, decompressed on the fly.</li>
 *   <li>a folder: every {@code .txt .text .md .jsonl} file (and their {@code .gz}) below it, in
 *       sorted path order; hidden files and other extensions are ignored.</li>
 * </ul>
 */
public final class CorpusReader {

    /** Plain text is handed over in pieces of about this many chars, so a huge file needs no huge string. */
    static final int PLAIN_TEXT_CHUNK = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FOLDER_EXTENSIONS = List.of(".txt", ".text", ".md", ".jsonl");

    private final Consumer<String> sink;
    private final int plainTextChunk;
    private long files;
    private long texts;
    private long chars;
    private long skippedLines;

    public CorpusReader(Consumer<String> sink) {
        this(sink, PLAIN_TEXT_CHUNK);
    }

    CorpusReader(Consumer<String> sink, int plainTextChunk) {
        this.sink = sink;
        this.plainTextChunk = plainTextChunk;
    }

    public void read(List<Path> inputs) throws IOException {
        for (Path file : expand(inputs)) {
            readFile(file);
        }
    }

    /** The files the inputs stand for, in reading order. */
    public static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .filter(CorpusReader::hasCorpusExtension)
                            .sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                throw new NoSuchFileException(input.toString());
            }
        }
        return files;
    }

    private static boolean hasCorpusExtension(Path p) {
        String name = stripGz(p.getFileName().toString().toLowerCase(Locale.ROOT));
        return FOLDER_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static String stripGz(String name) {
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    public void readFile(Path file) throws IOException {
        files++;
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            if (stripGz(name).endsWith(".jsonl")) {
                readJsonLines(reader);
            } else {
                readPlainText(reader);
            }
        }
    }

    private void readJsonLines(BufferedReader reader) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode text;
            try {
                text = JSON.readTree(line).get("text");
            } catch (IOException notJson) {
                text = null;
            }
            if (text == null || !text.isTextual()) {
                skippedLines++;
                continue;
            }
            emit(text.asText());
        }
    }

    /**
     * Cuts plain text only right after a newline that sits between a letter or digit and a letter
     * or digit ("...end\nStart..."). With both patterns no piece spans such a cut, so the word
     * counts are exactly those of the whole file (a cut next to other whitespace could change how
     * a run of whitespace is split).
     */
    private void readPlainText(BufferedReader reader) throws IOException {
        StringBuilder pending = new StringBuilder();
        char[] buffer = new char[1 << 16];
        int n;
        while ((n = reader.read(buffer)) > 0) {
            pending.append(buffer, 0, n);
            if (pending.length() >= plainTextChunk) {
                int cut = lastSafeCut(pending);
                if (cut > 0) {
                    emit(pending.substring(0, cut));
                    pending.delete(0, cut);
                }
            }
        }
        if (pending.length() > 0) {
            emit(pending.toString());
        }
    }

    /** The largest i with text[i-1] == '\n' and letters/digits at i-2 and i, or -1. */
    static int lastSafeCut(CharSequence text) {
        for (int i = text.length() - 1; i >= 2; i--) {
            if (text.charAt(i - 1) == '\n'
                    && Character.isLetterOrDigit(text.charAt(i - 2))
                    && Character.isLetterOrDigit(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private void emit(String text) {
        texts++;
        chars += text.length();
        sink.accept(text);
    }

    public long files() {
        return files;
    }

    /** Texts handed to the sink (JSONL documents and plain-text chunks). */
    public long texts() {
        return texts;
    }

    /** UTF-16 chars handed to the sink. */
    public long chars() {
        return chars;
    }

    /** JSONL lines that were not an object with a string "text". */
    public long skippedLines() {
        return skippedLines;
    }
}
