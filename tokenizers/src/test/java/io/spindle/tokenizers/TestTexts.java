package io.spindle.tokenizers;

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

    private static List<String> smallTrainingCorpus;

    /**
     * About 330 KB: corpus documents plus the edge cases and random strings three times over, so
     * that merges inside multi-byte characters and whitespace runs get learned too.
     */
    static synchronized List<String> smallTrainingCorpus() throws IOException {
        if (smallTrainingCorpus == null) {
            List<String> texts = new ArrayList<>(corpusDocuments(0, 150));
            for (int i = 0; i < 3; i++) {
                texts.addAll(ProbeTexts.edgeCases());
                texts.addAll(ProbeTexts.randomStrings(100 + i, 100));
            }
            smallTrainingCorpus = List.copyOf(texts);
        }
        return smallTrainingCorpus;
    }
}
