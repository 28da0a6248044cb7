package io.spindle.tokenizer;

import io.spindle.contracts.Rejection.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class DocumentParserTest {

    private final DocumentParser parser = new DocumentParser(64);

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of(null, Reason.TOMBSTONE),
                Arguments.of(new byte[0], Reason.EMPTY),
                Arguments.of(new byte[] {'h', (byte) 0xC3, (byte) 0x28}, Reason.INVALID_UTF8),
                Arguments.of(utf8("{\"text\": \"unterminated"), Reason.MALFORMED_JSON),
                Arguments.of(utf8("{\"id\": 1}"), Reason.MISSING_TEXT),
                Arguments.of(utf8("{\"text\": null}"), Reason.MISSING_TEXT),
                Arguments.of(utf8("{\"text\": 42}"), Reason.TEXT_NOT_STRING),
                Arguments.of(utf8("{\"text\": [\"a\"]}"), Reason.TEXT_NOT_STRING),
                Arguments.of(utf8("{\"text\": \"  \\n\"}"), Reason.BLANK_TEXT),
                Arguments.of(utf8(" \n\t "), Reason.BLANK_TEXT),
                Arguments.of(utf8("x".repeat(65)), Reason.TOO_LARGE),
                Arguments.of(new byte[] {'a', 'b', 0, 'c'}, Reason.BINARY),
                Arguments.of(new byte[] {1, 2, 3, 'a', 'b', 'c', 'd', 'e'}, Reason.BINARY),
                Arguments.of(utf8("{\"text\": \"half \\ud83d of an emoji\"}"), Reason.INVALID_UTF8),
                Arguments.of(utf8("{\"text\": \"\\udc00\"}"), Reason.INVALID_UTF8),
                Arguments.of(utf8("{\"text\": \"\u00A0\u3000\u2028\"}"), Reason.BLANK_TEXT));
    }

    @ParameterizedTest
    @MethodSource
    void rejected(byte[] value, Reason reason) {
        DocumentParser.Parsed parsed = parser.parse("k", value);
        assertEquals(reason, assertInstanceOf(DocumentParser.Rejected.class, parsed).reason());
    }

    @Test
    void jsonDocumentKeepsIdAndSource() {
        var parsed = parser.parse("key", utf8("{\"id\":\"d1\",\"text\":\"Hello\",\"source\":\"web\",\"extra\":1}"));
        var doc = assertInstanceOf(DocumentParser.Accepted.class, parsed).document();
        assertEquals("d1", doc.id());
        assertEquals("Hello", doc.text());
        assertEquals("web", doc.source());
    }

    /** De-duplication hashes these bytes: the same text must give the same bytes however it arrived. */
    @Test
    void theTextsUtf8IsTheSameWhetherRawWithABomOrInJson() {
        byte[] raw = utf8("Ships at sea \u2693 and \uD83D\uDE00\n");
        byte[] withBom = utf8("\uFEFFShips at sea \u2693 and \uD83D\uDE00\n");
        byte[] json = utf8("{\"text\": \"Ships at sea \\u2693 and \\ud83d\\ude00\\n\"}");
        var fromRaw = assertInstanceOf(DocumentParser.Accepted.class, parser.parse("k", raw));
        assertSame(raw, fromRaw.utf8(), "raw text is hashed as it came, without encoding it again");
        for (byte[] value : List.of(withBom, json)) {
            var accepted = assertInstanceOf(DocumentParser.Accepted.class, parser.parse("k", value));
            assertArrayEquals(raw, accepted.utf8());
        }
    }

    @Test
    void anythingElseIsRawText() {
        var doc = assertInstanceOf(DocumentParser.Accepted.class, parser.parse("key", utf8("[1, 2] are numbers ✓"))).document();
        assertEquals("[1, 2] are numbers ✓", doc.text());
        assertEquals("key", doc.id());
    }

    /**
     * Decoding takes a fast path that is exact only for texts without U+FFFD; a text holding a real (validly encoded)
     * U+FFFD must still be accepted in strict mode, and malformed forms the fast decoder also maps to U+FFFD
     * (an encoded surrogate, an overlong form, a truncated sequence) must still be rejected.
     */
    @Test
    void strictDecodingAcceptsARealReplacementCharacterAndRejectsEveryMalformedForm() {
        var doc = assertInstanceOf(DocumentParser.Accepted.class, parser.parse("k", utf8("a real \uFFFD stays"))).document();
        assertEquals("a real \uFFFD stays", doc.text());
        for (byte[] malformed : List.of(
                new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b'},   // U+D800 encoded: a surrogate
                new byte[] {'a', (byte) 0xC0, (byte) 0xAF, 'b'},                // overlong '/'
                new byte[] {'a', 'b', (byte) 0xE2, (byte) 0x82})) {             // truncated at the end
            assertEquals(Reason.INVALID_UTF8, assertInstanceOf(DocumentParser.Rejected.class, parser.parse("k", malformed)).reason());
        }
    }

    @Test
    void replaceModeRepairsTextAndStillRefusesGarbage() {
        DocumentParser lenient = new DocumentParser(new DocumentParser.Policy(1024, true, false));
        var doc = assertInstanceOf(DocumentParser.Accepted.class,
                lenient.parse("k", new byte[] {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', 'f', 'i', 'n', 'e', ' ', 't', 'e', 'x', 't'}))
                .document();
        assertEquals("ok \uFFFD( fine text", doc.text());
        var json = assertInstanceOf(DocumentParser.Accepted.class,
                lenient.parse("k", utf8("{\"text\": \"a \\ud83d b \\ud83d\\ude00\"}"))).document();
        assertEquals("a \uFFFD b \uD83D\uDE00", json.text(), "lone surrogate replaced, the pair kept");
        byte[] garbage = new byte[64];
        new java.util.Random(1).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (garbage[i] | 0x80); // no NUL or controls: only invalid sequences
        }
        assertEquals(Reason.BINARY, assertInstanceOf(DocumentParser.Rejected.class, lenient.parse("k", garbage)).reason());
    }

    @Test
    void nfcComposesWhenAskedAndOnlyThen() {
        byte[] decomposed = utf8("{\"text\": \"cafe\u0301\"}");
        DocumentParser nfc = new DocumentParser(new DocumentParser.Policy(1024, false, true));
        assertEquals("caf\u00E9", assertInstanceOf(DocumentParser.Accepted.class, nfc.parse("k", decomposed)).document().text());
        assertEquals("cafe\u0301", assertInstanceOf(DocumentParser.Accepted.class, parser.parse("k", decomposed)).document().text());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
