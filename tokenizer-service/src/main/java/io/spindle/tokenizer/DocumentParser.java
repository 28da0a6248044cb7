package io.spindle.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.CorpusDocument;
import io.spindle.contracts.Rejection.Reason;
import io.spindle.contracts.json.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads a {@code corpus.documents} value: a JSON object with a string {@code text}, or else raw UTF-8 text,
 * so that whatever {@code kcat -P} or the console producer sends is understood.
 */
public final class DocumentParser {

    /** What a record turned out to be. */
    public sealed interface Parsed {
    }

    public record Accepted(CorpusDocument document) implements Parsed {
    }

    public record Rejected(Reason reason, String detail) implements Parsed {
    }

    private final int maxDocumentBytes;

    public DocumentParser(int maxDocumentBytes) {
        this.maxDocumentBytes = maxDocumentBytes;
    }

    public Parsed parse(String key, byte[] value) {
        if (value == null) {
            return new Rejected(Reason.TOMBSTONE, "null value (tombstone)");
        }
        if (value.length == 0) {
            return new Rejected(Reason.EMPTY, "zero-byte value");
        }
        if (value.length > maxDocumentBytes) {
            return new Rejected(Reason.TOO_LARGE, value.length + " bytes exceeds the limit of " + maxDocumentBytes);
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Rejected(Reason.INVALID_UTF8, "not valid UTF-8: " + e.getMessage());
        }
        return looksLikeJsonObject(decoded) ? parseJson(key, decoded) : rawText(key, decoded);
    }

    private static boolean looksLikeJsonObject(String text) {
        return text.stripLeading().startsWith("{");
    }

    private static Parsed rawText(String key, String text) {
        if (text.isBlank()) {
            return new Rejected(Reason.BLANK_TEXT, "text is empty or whitespace only");
        }
        return new Accepted(new CorpusDocument(key, text, null, Map.of()));
    }

    private static Parsed parseJson(String key, String json) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return new Rejected(Reason.MALFORMED_JSON, e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Rejected(Reason.NOT_AN_OBJECT, "expected a JSON object");
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) {
            return new Rejected(Reason.MISSING_TEXT, "JSON object has no \"text\" field");
        }
        if (!text.isTextual()) {
            return new Rejected(Reason.TEXT_NOT_STRING, "\"text\" is a " + text.getNodeType() + ", not a string");
        }
        if (text.asText().isBlank()) {
            return new Rejected(Reason.BLANK_TEXT, "\"text\" is empty or whitespace only");
        }
        String id = node.hasNonNull("id") ? node.get("id").asText() : key;
        String source = node.hasNonNull("source") ? node.get("source").asText() : null;
        return new Accepted(new CorpusDocument(id, text.asText(), source, Map.of()));
    }
}
