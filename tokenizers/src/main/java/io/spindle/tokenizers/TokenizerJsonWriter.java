package io.spindle.tokenizers;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a {@link BpeVocabulary} as a Hugging Face {@code tokenizer.json} (the format of the Rust
 * {@code tokenizers} library that DJL wraps): a BPE model with vocab and merges, the specials as
 * added tokens, a ByteLevel pre-tokenizer (GPT-2 regex) or Split(regex) + ByteLevel (cl100k), a
 * ByteLevel decoder, and no normalizer, post-processor, truncation or padding, so ids map 1:1 to
 * text and documents are never cut.
 *
 * <p>The JSON is written by hand, one vocab entry and one merge per line, in id and rank order:
 * the same vocabulary always gives the same bytes, and diffs between two trained files stay readable.
 */
public final class TokenizerJsonWriter {

    private TokenizerJsonWriter() {
    }

    /** Writes atomically: a reader never sees a half-written file. */
    public static void write(BpeVocabulary vocabulary, Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A sibling temp file (same file system, so the move is atomic) with default permissions.
        Path tmp = dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, toJson(vocabulary), StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static String toJson(BpeVocabulary vocabulary) {
        List<String> tokens = vocabulary.tokens();
        Set<String> seen = new HashSet<>();
        for (String t : tokens) {
            if (!seen.add(t)) {
                // "vocab" is a JSON object: a repeated key would silently drop an id.
                throw new IllegalStateException("token appears twice in the vocabulary: " + t);
            }
        }
        StringBuilder json = new StringBuilder(tokens.size() * 40 + vocabulary.merges().size() * 30);
        json.append("{\n");
        json.append("  \"version\": \"1.0\",\n");
        json.append("  \"truncation\": null,\n");
        json.append("  \"padding\": null,\n");
        json.append("  \"added_tokens\": [\n");
        List<Integer> specialIds = vocabulary.specialTokens().values().stream().sorted().toList();
        for (int i = 0; i < specialIds.size(); i++) {
            int id = specialIds.get(i);
            json.append("    {\"id\": ").append(id)
                    .append(", \"content\": ").append(quote(vocabulary.token(id)))
                    .append(", \"single_word\": false, \"lstrip\": false, \"rstrip\": false")
                    .append(", \"normalized\": false, \"special\": true}")
                    .append(i + 1 < specialIds.size() ? ",\n" : "\n");
        }
        json.append("  ],\n");
        json.append("  \"normalizer\": null,\n");
        json.append("  \"pre_tokenizer\": ").append(preTokenizer(vocabulary.pattern())).append(",\n");
        json.append("  \"post_processor\": null,\n");
        json.append("  \"decoder\": ").append(byteLevel(true)).append(",\n");
        json.append("  \"model\": {\n");
        json.append("    \"type\": \"BPE\",\n");
        json.append("    \"dropout\": null,\n");
        json.append("    \"unk_token\": null,\n");
        json.append("    \"continuing_subword_prefix\": null,\n");
        json.append("    \"end_of_word_suffix\": null,\n");
        json.append("    \"fuse_unk\": false,\n");
        json.append("    \"byte_fallback\": false,\n");
        json.append("    \"ignore_merges\": ").append(vocabulary.ignoreMerges()).append(",\n");
        json.append("    \"vocab\": {\n");
        for (int id = 0; id < tokens.size(); id++) {
            json.append("      ").append(quote(tokens.get(id))).append(": ").append(id)
                    .append(id + 1 < tokens.size() ? ",\n" : "\n");
        }
        json.append("    },\n");
        json.append("    \"merges\": [\n");
        List<BpeVocabulary.Merge> merges = vocabulary.merges();
        for (int rank = 0; rank < merges.size(); rank++) {
            BpeVocabulary.Merge m = merges.get(rank);
            json.append("      [").append(quote(tokens.get(m.left()))).append(", ")
                    .append(quote(tokens.get(m.right()))).append("]")
                    .append(rank + 1 < merges.size() ? ",\n" : "\n");
        }
        json.append("    ]\n");
        json.append("  }\n");
        json.append("}\n");
        return json.toString();
    }

    /**
     * GPT-2: ByteLevel does the regex split itself. cl100k: a Split with the regex first (Isolated
     * keeps every match as its own piece), then ByteLevel only maps bytes to characters.
     */
    private static String preTokenizer(PreTokenizerPattern pattern) {
        if (pattern == PreTokenizerPattern.GPT2) {
            return byteLevel(true);
        }
        return "{\"type\": \"Sequence\", \"pretokenizers\": ["
                + "{\"type\": \"Split\", \"pattern\": {\"Regex\": " + quote(pattern.regex())
                + "}, \"behavior\": \"Isolated\", \"invert\": false}, "
                + byteLevel(false) + "]}";
    }

    private static String byteLevel(boolean useRegex) {
        return "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": "
                + useRegex + "}";
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
