package io.spindle.tokenizer;

import io.spindle.contracts.Rejection.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                Arguments.of(utf8("x".repeat(65)), Reason.TOO_LARGE));
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

    @Test
    void anythingElseIsRawText() {
        var doc = assertInstanceOf(DocumentParser.Accepted.class, parser.parse("key", utf8("[1, 2] are numbers ✓"))).document();
        assertEquals("[1, 2] are numbers ✓", doc.text());
        assertEquals("key", doc.id());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
