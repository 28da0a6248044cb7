package io.spindle.cli.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Texts shared by the tokenizer tests: the samples corpus, hand-picked edge cases, random strings. */
final class TestTexts {

    private TestTexts() {
    }

    /** The repository's samples/ folder, found by walking up from the working directory. */
    static Path samplesDir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("samples/corpus.jsonl.gz"))) {
                return d.resolve("samples");
            }
        }
        throw new IllegalStateException("samples/corpus.jsonl.gz not found above " + dir);
    }

    /** Documents [from, from + count) of samples/corpus.jsonl.gz. */
    static List<String> corpusDocuments(int from, int count) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(samplesDir().resolve("corpus.jsonl.gz"))), StandardCharsets.UTF_8))) {
            String line;
            int index = 0;
            while ((line = in.readLine()) != null && docs.size() < count) {
                if (index++ >= from) {
                    docs.add(json.readTree(line).get("text").asText());
                }
            }
        }
        return docs;
    }
}
