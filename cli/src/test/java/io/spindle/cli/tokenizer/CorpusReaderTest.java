package io.spindle.cli.tokenizer;

import io.spindle.tokenizers.PreTokenizerPattern;
import io.spindle.tokenizers.WordCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusReaderTest {

    @TempDir
    Path dir;

    @Test
    void jsonlGivesTheTextFieldAndCountsWhatItSkips() throws IOException {
        Path file = dir.resolve("docs.jsonl.gz");
        gzip(file, String.join("\n",
                "{\"id\":\"1\",\"text\":\"first doc\",\"source\":\"a\"}",
                "",
                "{\"id\":\"2\",\"text\":\"second\\ndoc \\u00e9\"}",
                "{\"id\":\"3\",\"body\":\"no text field\"}",
                "not json at all",
                "{\"text\":42}",
                "{\"text\":\"third\"}"));
        List<String> texts = new ArrayList<>();
        CorpusReader reader = new CorpusReader(texts::add);
        reader.read(List.of(file));
        assertEquals(List.of("first doc", "second\ndoc \u00e9", "third"), texts);
        assertEquals(3, reader.skippedLines());
    }

    @Test
    void foldersAreWalkedInSortedOrderAndUnknownExtensionsIgnored() throws IOException {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/two.txt"), "two");
        Files.writeString(dir.resolve("a.md"), "one");
        gzip(dir.resolve("c.txt.gz"), "three");
        Files.writeString(dir.resolve("d.bin"), "ignored");
        Files.writeString(dir.resolve(".hidden.txt"), "ignored");
        List<String> texts = new ArrayList<>();
        new CorpusReader(texts::add).read(List.of(dir));
        assertEquals(List.of("one", "two", "three"), texts);
    }

    @Test
    void chunkingPlainTextKeepsTheWordCountsOfTheWholeText() throws IOException {
        StringBuilder text = new StringBuilder();
        String[] joins = {"\n", "  \n", "\r\n", "\n\n", " \n ", "\n"};
        List<String> docs = TestTexts.corpusDocuments(0, 100);
        int chunk = 64 * 1024;
        for (int i = 0; text.length() < 4 * chunk; i++) {
            text.append(docs.get(i % docs.size())).append(joins[i % joins.length]);
        }
        Path file = dir.resolve("big.txt");
        Files.writeString(file, text);

        for (PreTokenizerPattern pattern : PreTokenizerPattern.values()) {
            WordCounts whole = new WordCounts(pattern);
            whole.add(text.toString());
            WordCounts chunked = new WordCounts(pattern);
            CorpusReader reader = new CorpusReader(chunked::add, chunk);
            reader.read(List.of(file));
            assertTrue(reader.texts() >= 4, "the file should have been cut: " + reader.texts());
            assertEquals(asMap(whole), asMap(chunked));
        }
    }

    @Test
    void cutsOnlyBetweenLettersOrDigitsAroundANewline() {
        assertEquals(3, CorpusReader.lastSafeCut("ab\ncd  \n e"));
        assertEquals(-1, CorpusReader.lastSafeCut("ab \ncd"));
        assertEquals(-1, CorpusReader.lastSafeCut("ab\r\ncd"));
    }

    private static Map<String, Long> asMap(WordCounts counts) {
        Map<String, Long> map = new TreeMap<>();
        counts.forEach(map::put);
        return map;
    }

    static void gzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }
}
