package io.spindle.cli.tokenizer;

import io.spindle.tokenizers.BpeVocabulary;
import io.spindle.tokenizers.PreTokenizerPattern;
import io.spindle.tokenizers.TokenizerJsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainTokenizerCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return TrainTokenizerCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path corpusFolder() throws IOException {
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus.resolve("more"));
        List<String> docs = TestTexts.corpusDocuments(0, 40);
        Files.writeString(corpus.resolve("a.txt"), String.join("\n", docs.subList(0, 20)));
        StringBuilder jsonl = new StringBuilder();
        for (String doc : docs.subList(20, 40)) {
            jsonl.append("{\"text\":\"").append(doc.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\",\"source\":\"test\"}\n");
        }
        CorpusReaderTest.gzip(corpus.resolve("more/b.jsonl.gz"), jsonl.toString());
        return corpus;
    }

    @Test
    void trainsFromAFolderOfTextAndGzippedJsonl() throws IOException {
        Path corpus = corpusFolder();
        Path tokenizer = dir.resolve("out/tokenizer.json");
        assertEquals(0, run("--vocab-size", "400", "--pattern", "cl100k", "--out", tokenizer.toString(), corpus.toString()), err::toString);
        BpeVocabulary v = TokenizerJsonReader.read(tokenizer);
        assertEquals(400, v.size());
        assertEquals(PreTokenizerPattern.CL100K, v.pattern());
        assertTrue(err.toString().contains("read 2 files, 21 texts"), err::toString);
        assertTrue(err.toString().contains("tokens 141/141"), err::toString);
        assertTrue(out.toString().startsWith("wrote "), out::toString);

        // Naming the files instead of the folder, with --opt=value syntax, gives the same bytes.
        Path again = dir.resolve("again.json");
        assertEquals(0, run("--vocab-size=400", "--pattern=cl100k", "--out=" + again,
                corpus.resolve("more/b.jsonl.gz").toString(), corpus.resolve("a.txt").toString()), err::toString);
        assertEquals(Files.readString(tokenizer), Files.readString(again));
    }

    @Test
    void badUsageExitsWithTwo() throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "text");
        assertEquals(2, run(input.toString()));
        assertTrue(err.toString().contains("--out is required"));
        assertEquals(2, run("--out", "x.json"));
        assertEquals(2, run("--pattern", "o200k", "--out", "x.json", input.toString()));
        assertEquals(2, run("--vocab-size", "lots", "--out", "x.json", input.toString()));
        assertEquals(2, run("--vocab-size", "100", "--out", "x.json", input.toString()));
        assertEquals(2, run("--frobnicate", "--out", "x.json", input.toString()));
        assertEquals(2, run("--out"));
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("usage: spindle train-tokenizer"));
    }

    @Test
    void missingInputOrEmptyCorpusExitsWithOne() throws IOException {
        assertEquals(1, run("--out", dir.resolve("x.json").toString(), dir.resolve("missing.txt").toString()));
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "{\"id\":1}\n");
        assertEquals(1, run("--out", dir.resolve("x.json").toString(), empty.toString()));
        assertTrue(err.toString().contains("no text found"), err::toString);
    }
}
