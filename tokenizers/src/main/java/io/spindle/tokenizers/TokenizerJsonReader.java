package io.spindle.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back a byte-level BPE {@code tokenizer.json} of the shape {@link TokenizerJsonWriter}
 * writes (also GPT-2-style files from elsewhere, if their pre-tokenizer is one of the two known
 * patterns), so that {@link ByteLevelBpeEncoder} can encode with it. Anything else is refused
 * rather than encoded differently from Hugging Face.
 */
public final class TokenizerJsonReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJsonReader() {
    }

    public static BpeVocabulary read(Path path) throws IOException {
        return parse(JSON.readTree(path.toFile()));
    }

    public static BpeVocabulary parse(String json) throws IOException {
        return parse(JSON.readTree(json));
    }

    /**
     * Whether {@link ByteLevelBpeEncoder} can encode with this file exactly as Hugging Face does; the
     * message says why not. The service uses this to pick its fast path.
     */
    public static java.util.Optional<String> whyNotFastPath(Path path) {
        try {
            read(path);
            return java.util.Optional.empty();
        } catch (IllegalArgumentException | IOException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    private static BpeVocabulary parse(JsonNode root) {
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new IllegalArgumentException("not a BPE tokenizer.json: model.type=" + model.path("type"));
        }
        if (!isAbsent(root.path("normalizer"))) {
            throw new IllegalArgumentException("normalizers are not supported: " + root.path("normalizer").path("type"));
        }
        if (!isAbsent(model.path("dropout")) && model.path("dropout").asDouble() != 0.0) {
            throw new IllegalArgumentException("BPE dropout is not deterministic");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IllegalArgumentException("byte_fallback vocabularies (SentencePiece style) are not byte-level BPE");
        }
        if (!model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw new IllegalArgumentException("continuing_subword_prefix / end_of_word_suffix are not supported");
        }
        PreTokenizerPattern pattern = patternOf(root.path("pre_tokenizer"));

        JsonNode vocab = model.path("vocab");
        int size = vocab.size();
        for (JsonNode added : root.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt() + 1);
        }
        String[] tokens = new String[size];
        vocab.properties().forEach(e -> {
            int id = e.getValue().asInt();
            if (id < 0 || id >= vocab.size() || tokens[id] != null) {
                throw new IllegalArgumentException("vocab ids must be 0.." + (vocab.size() - 1) + " without gaps");
            }
            tokens[id] = e.getKey();
        });
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < vocab.size(); id++) {
            ids.put(tokens[id], id);
        }

        // Added tokens (Llama 3 puts its specials after the model vocab) are cut out of the text first.
        Map<String, Integer> specials = new HashMap<>();
        for (JsonNode added : root.path("added_tokens")) {
            String content = added.path("content").asText();
            int id = added.path("id").asInt();
            if (added.path("single_word").asBoolean(false) || added.path("lstrip").asBoolean(false)
                    || added.path("rstrip").asBoolean(false)) {
                throw new IllegalArgumentException("added token " + content + ": single_word/lstrip/rstrip are not supported");
            }
            if (content.isEmpty()) {
                throw new IllegalArgumentException("empty added token at id " + id);
            }
            if (tokens[id] == null) {
                tokens[id] = content;
            } else if (!content.equals(tokens[id])) {
                throw new IllegalArgumentException("added token " + content + " clashes with vocab token " + tokens[id] + " at id " + id);
            }
            specials.put(content, id);
        }
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                throw new IllegalArgumentException("no token has id " + id);
            }
        }

        List<BpeVocabulary.Merge> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            // Both forms Hugging Face writes: ["a", "b"] (since 0.20) and the older "a b".
            String left;
            String right;
            if (m.isArray()) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                String[] parts = m.asText().split(" ", 2);
                left = parts[0];
                right = parts[1];
            }
            Integer l = ids.get(left);
            Integer r = ids.get(right);
            Integer result = ids.get(left + right);
            if (l == null || r == null || result == null) {
                throw new IllegalArgumentException("merge " + left + " " + right + " uses a token missing from vocab");
            }
            merges.add(new BpeVocabulary.Merge(l, r, result));
        }
        return new BpeVocabulary(pattern, Arrays.asList(tokens), merges, specials, model.path("ignore_merges").asBoolean(false));
    }

    private static boolean isAbsent(JsonNode node) {
        return node.isNull() || node.isMissingNode();
    }

    private static PreTokenizerPattern patternOf(JsonNode pre) {
        String type = pre.path("type").asText();
        if ("ByteLevel".equals(type) && pre.path("use_regex").asBoolean(true)
                && !pre.path("add_prefix_space").asBoolean(false)) {
            return PreTokenizerPattern.GPT2;
        }
        if ("Sequence".equals(type) && pre.path("pretokenizers").size() == 2) {
            JsonNode split = pre.path("pretokenizers").get(0);
            JsonNode byteLevel = pre.path("pretokenizers").get(1);
            String regex = split.path("pattern").path("Regex").asText();
            if ("Split".equals(split.path("type").asText())
                    && "Isolated".equals(split.path("behavior").asText())
                    && !split.path("invert").asBoolean(false)
                    && "ByteLevel".equals(byteLevel.path("type").asText())
                    && !byteLevel.path("use_regex").asBoolean(true)
                    && !byteLevel.path("add_prefix_space").asBoolean(false)) {
                for (PreTokenizerPattern p : PreTokenizerPattern.values()) {
                    if (p.regex().equals(regex)) {
                        return p;
                    }
                }
            }
        }
        throw new IllegalArgumentException("unsupported pre_tokenizer: " + pre);
    }
}
