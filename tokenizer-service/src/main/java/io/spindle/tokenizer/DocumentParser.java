package io.spindle.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.contracts.CorpusDocument;
import io.spindle.contracts.Rejection.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Map;

/**
 * Reads a {@code corpus.documents} value: a JSON object with a string {@code text}, or else raw UTF-8 text,
 * so that whatever {@code kcat -P} or the console producer sends is understood. Validates strictly (see
 * docs/rejections.md) and hands on the text normalized as configured, ready to hash and tokenize.
 */
public final class DocumentParser {

    /** More than this share of control or replacement characters makes a value BINARY rather than text. */
    static final double MAX_NON_TEXT_SHARE = 0.10;

    /**
     * Deeper JSON is MALFORMED_JSON, read without recursion trouble. Jackson's own default, pinned here so an
     * upgrade cannot move it; a document's {@code meta} needs a handful of levels, not a thousand.
     */
    static final int MAX_JSON_DEPTH = 1000;

    /** Longer JSON field names are MALFORMED_JSON (Jackson's default, pinned): field names are words, not data. */
    static final int MAX_JSON_NAME_CHARS = 50_000;

    /** What a record turned out to be. */
    public sealed interface Parsed {
    }

    /**
     * @param textUtf8 the UTF-8 bytes of the document's text when they are at hand (raw text taken as it came),
     *                 so that hashing it for de-duplication does not encode it again; else null
     */
    public record Accepted(CorpusDocument document, byte[] textUtf8) implements Parsed {

        /** The UTF-8 bytes of the text. */
        public byte[] utf8() {
            return textUtf8 != null ? textUtf8 : document.text().getBytes(StandardCharsets.UTF_8);
        }
    }

    public record Rejected(Reason reason, String detail) implements Parsed {
    }

    /**
     * @param maxDocumentBytes larger values are TOO_LARGE
     * @param replaceInvalid   replace invalid UTF-8 and lone surrogates with U+FFFD instead of rejecting
     * @param nfc              normalize the text to NFC
     */
    public record Policy(int maxDocumentBytes, boolean replaceInvalid, boolean nfc) {
    }

    private final Policy policy;
    private final ObjectMapper json;

    public DocumentParser(Policy policy) {
        this.policy = policy;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_JSON_DEPTH)
                        .maxNameLength(MAX_JSON_NAME_CHARS)
                        // A text may be as long as the whole value: the size check, not Jackson, bounds it.
                        .maxStringLength(Math.max(policy.maxDocumentBytes(), StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .build())
                // {"text":"a","text":"b"} is ambiguous: which one did the producer mean? Reject, do not guess.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        // {"text":"a"}{"text":"b"} on one line would otherwise lose the second document without a word.
        this.json = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public DocumentParser(int maxDocumentBytes) {
        this(new Policy(maxDocumentBytes, false, false));
    }

    public Parsed parse(String key, byte[] value) {
        if (value == null) {
            return new Rejected(Reason.TOMBSTONE, "null value (tombstone)");
        }
        if (value.length == 0) {
            return new Rejected(Reason.EMPTY, "zero-byte value");
        }
        if (value.length > policy.maxDocumentBytes()) {
            return new Rejected(Reason.TOO_LARGE, value.length + " bytes exceeds the limit of " + policy.maxDocumentBytes());
        }
        String binary = binaryBytes(value);
        if (binary != null) {
            return new Rejected(Reason.BINARY, binary);
        }
        // The String constructor's decoder is the JDK's fastest, but it replaces malformed input silently. Every
        // malformed sequence becomes U+FFFD, so a result without one is exactly what the strict decoder returns;
        // only texts holding a U+FFFD (malformed, or a real one) are decoded again, strictly, for the verdict.
        String decoded = new String(value, StandardCharsets.UTF_8);
        boolean decodedIsValue = true;
        if (decoded.indexOf('\uFFFD') >= 0) {
            decodedIsValue = false;
            try {
                CodingErrorAction action = policy.replaceInvalid() ? CodingErrorAction.REPLACE : CodingErrorAction.REPORT;
                decoded = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(action)
                        .onUnmappableCharacter(action)
                        .decode(ByteBuffer.wrap(value))
                        .toString();
            } catch (CharacterCodingException e) {
                return new Rejected(Reason.INVALID_UTF8, "not valid UTF-8: " + e.getMessage());
            }
        }
        if (policy.replaceInvalid() && share(decoded, '\uFFFD') > MAX_NON_TEXT_SHARE) {
            return new Rejected(Reason.BINARY, "more than " + percent() + " of the characters are not valid UTF-8");
        }
        if (!decoded.isEmpty() && decoded.charAt(0) == BOM) {
            // Windows editors write one; it says "UTF-8" and is not part of the text or the JSON.
            decoded = decoded.substring(1);
            decodedIsValue = false;
        }
        int first = firstNonWhitespace(decoded);
        if (first < decoded.length() && decoded.charAt(first) == '{') {
            return parseJson(key, decoded);
        }
        Rejected notAnObject = nonObjectJson(decoded, first);
        // Decoded UTF-8 holds no lone surrogate: only a JSON escape can make one.
        return notAnObject != null ? notAnObject : accept(key, decoded, null, "the value", false, decodedIsValue ? value : null);
    }

    private static int firstNonWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static final char BOM = '\uFEFF';

    /** Why the bytes are binary rather than text, or null: NUL bytes, or many C0 controls besides \t \n \r \f. */
    private static String binaryBytes(byte[] value) {
        int controls = 0;
        for (byte b : value) {
            if (b == 0) {
                return "contains a NUL byte";
            }
            if (b > 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
                controls++;
            }
        }
        return controls > value.length * MAX_NON_TEXT_SHARE
                ? controls + " of " + value.length + " bytes are control characters" : null;
    }

    private static double share(String text, char c) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                n++;
            }
        }
        return text.isEmpty() ? 0 : n / (double) text.length();
    }

    private static String percent() {
        return Math.round(MAX_NON_TEXT_SHARE * 100) + "%";
    }

    /**
     * A value that is, as a whole, one JSON array, number, boolean or null is NOT_AN_OBJECT: a producer sent
     * JSON, but not a document. Anything else that does not start with '{' is prose, including a line in
     * quotes (a JSON string literal is also a quoted sentence) and lines such as "[1] Smith et al." or
     * "42 is the answer", which JSON does not parse as a whole. Only values that start like a JSON array,
     * number or literal are tried, and prose fails on its first word, so raw text costs next to nothing.
     */
    private Rejected nonObjectJson(String value, int firstChar) {
        // Decided on the first non-blank char before anything is copied: most values are prose.
        if (firstChar == value.length() || "[-0123456789tfn".indexOf(value.charAt(firstChar)) < 0) {
            return null;
        }
        String stripped = value.strip();
        try (JsonParser parser = json.getFactory().createParser(stripped)) {
            JsonToken first = parser.nextToken();
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return null;
            }
            return new Rejected(Reason.NOT_AN_OBJECT, "a JSON " + describe(first) + ", not an object with \"text\"");
        } catch (StreamConstraintsException e) {
            return new Rejected(Reason.MALFORMED_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    private Parsed parseJson(String key, String value) {
        JsonNode node;
        try {
            node = json.readTree(value);
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
        String id = node.hasNonNull("id") ? node.get("id").asText() : key;
        String source = node.hasNonNull("source") ? node.get("source").asText() : null;
        return accept(id, text.asText(), source, "\"text\"", true, null);
    }

    /** The last checks on the text itself, and its normalization. */
    private Parsed accept(String id, String text, String source, String what, boolean mayHaveLoneSurrogates, byte[] utf8) {
        int lone = mayHaveLoneSurrogates ? loneSurrogate(text) : -1;
        if (lone >= 0) {
            // Only JSON escapes (\ud800) can produce one: decoded UTF-8 never does.
            if (!policy.replaceInvalid()) {
                return new Rejected(Reason.INVALID_UTF8, what + " has a lone surrogate (a \\u escape) at char " + lone);
            }
            text = replaceLoneSurrogates(text);
        }
        if (policy.nfc() && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            utf8 = null;
        }
        if (isBlank(text)) {
            return new Rejected(Reason.BLANK_TEXT, what + " is empty or whitespace only");
        }
        return new Accepted(new CorpusDocument(id, text, source, Map.of()), utf8);
    }

    /**
     * Whether the text has nothing to read: only Unicode white space (NBSP and U+3000 included, unlike
     * {@link String#isBlank()}) and invisible format characters (zero-width space and joiners, BOM).
     */
    static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean invisible = Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085'
                    || c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF';
            if (!invisible) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first surrogate char that is not half of a pair, or -1. */
    static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String replaceLoneSurrogates(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
