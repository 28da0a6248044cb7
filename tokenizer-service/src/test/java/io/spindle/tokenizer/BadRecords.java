package io.spindle.tokenizer;

import io.spindle.contracts.Rejection.Reason;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One record of each kind the tokenizer must reject, keyed by the name of the reason it must get. */
final class BadRecords {

    /** The limit the tests configure (%test.spindle.tokenizer.max-document-bytes and TestConfig). */
    static final int MAX_BYTES = 65_536;

    static final Map<String, byte[]> ONE_OF_EACH;

    static {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(Reason.TOMBSTONE.name(), null);
        m.put(Reason.EMPTY.name(), new byte[0]);
        m.put(Reason.INVALID_UTF8.name(), new byte[] {'c', 'a', 'f', (byte) 0xC3, (byte) 0x28, ' ', 'o', 'k'});
        m.put(Reason.MALFORMED_JSON.name(), utf8("{\"text\": \"no closing brace\""));
        m.put(Reason.MISSING_TEXT.name(), utf8("{\"title\": \"a title, no text\"}"));
        m.put(Reason.TEXT_NOT_STRING.name(), utf8("{\"text\": {\"nested\": true}}"));
        m.put(Reason.BLANK_TEXT.name(), utf8("{\"text\": \" \\t\\n\\u00a0\"}"));
        m.put(Reason.TOO_LARGE.name(), utf8("x".repeat(MAX_BYTES + 1)));
        m.put(Reason.BINARY.name(), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13});
        ONE_OF_EACH = java.util.Collections.unmodifiableMap(m);
    }

    private BadRecords() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
