package io.spindle.tokenizer;

import io.spindle.contracts.Rejection.Reason;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The catalogue of bad and unusual input (docs/bad-input.md): each kind is one or more records, each with
 * the outcome it must get. {@link BadInputTopologyTest} runs every kind through the topology alone,
 * {@link TokenizerServiceTest} sends them all to the service over a real broker.
 */
final class BadInput {

    /** The service's default {@code spindle.tokenizer.max-document-bytes}; the tests run with it. */
    static final int MAX_DOCUMENT_BYTES = 8 << 20;

    /** Tagged on every catalogue record; corpus.rejected keeps a record's headers, so a reject names its kind. */
    static final String KIND_HEADER = "spindle.test.kind";

    /** What must become of one record: accepted with exactly this text, or rejected for this reason. */
    record Outcome(String acceptedText, Reason reason) {
        static Outcome accepted(String text) {
            return new Outcome(text, null);
        }

        static Outcome rejected(Reason reason) {
            return new Outcome(null, reason);
        }

        boolean isAccepted() {
            return reason == null;
        }

        @Override
        public String toString() {
            return isAccepted() ? "accepted" : reason.name();
        }
    }

    record Doc(byte[] key, byte[] value, Outcome outcome) {
    }

    /** @param name the row's name in docs/bad-input.md */
    record Kind(String name, List<Doc> docs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final byte[] BOM = bytes(0xEF, 0xBB, 0xBF);

    static final List<Kind> ALL = build();

    private static List<Kind> build() {
        List<Kind> kinds = new ArrayList<>();
        one(kinds, "invalid UTF-8", bytes('c', 'a', 'f', 0xC3, 0x28, ' ', 'o', 'k'), Reason.INVALID_UTF8);
        one(kinds, "truncated JSON", utf8("{\"text\": \"no closing brace\""), Reason.MALFORMED_JSON);
        one(kinds, "JSON array", utf8("[\"a list\", \"of strings\"]"), Reason.NOT_AN_OBJECT);
        one(kinds, "JSON number", utf8("42"), Reason.NOT_AN_OBJECT);
        one(kinds, "JSON null", utf8("null"), Reason.NOT_AN_OBJECT);
        one(kinds, "JSON true", utf8(" true\n"), Reason.NOT_AN_OBJECT);
        accepted(kinds, "JSON string literal", "\"To be, or not to be\"");
        one(kinds, "tombstone", null, Reason.TOMBSTONE);
        one(kinds, "text missing", utf8("{\"title\": \"a title, no text\"}"), Reason.MISSING_TEXT);
        one(kinds, "text null", utf8("{\"text\": null}"), Reason.MISSING_TEXT);
        one(kinds, "text a number", utf8("{\"text\": 3}"), Reason.TEXT_NOT_STRING);
        one(kinds, "text an object", utf8("{\"text\": {\"nested\": true}}"), Reason.TEXT_NOT_STRING);
        one(kinds, "zero bytes", new byte[0], Reason.EMPTY);
        one(kinds, "only whitespace (raw)", utf8(" \t\r\n \u00A0\u3000 "), Reason.BLANK_TEXT);
        one(kinds, "only whitespace (JSON)", utf8("{\"text\": \" \\t\\n\\u00a0\\u200b\"}"), Reason.BLANK_TEXT);
        one(kinds, "20 MB document", utf8(prose(20_000_000, 20)), Reason.TOO_LARGE);
        accepted(kinds, "5 MB document", prose(5_000_000, 5));
        accepted(kinds, "a few control characters", "Ring the bell\u0007 at the harbour, then print \u001B[1mbold\u001B[0m text in the log.");
        one(kinds, "mostly control characters", utf8("\u0001\u0002\u0003\u0004 ok \u0005\u0006\u0007\u0008"), Reason.BINARY);
        one(kinds, "lone surrogate in a JSON escape", utf8("{\"text\": \"half a pair: \\ud800 here\"}"), Reason.INVALID_UTF8);
        kinds.add(new Kind("UTF-8 BOM before JSON", List.of(new Doc(utf8("bom-json"),
                concat(BOM, utf8("{\"text\": \"A JSON document behind a byte order mark.\"}")),
                Outcome.accepted("A JSON document behind a byte order mark.")))));
        kinds.add(new Kind("UTF-8 BOM before raw text", List.of(new Doc(utf8("bom-raw"),
                concat(BOM, utf8("A raw line behind a byte order mark.")),
                Outcome.accepted("A raw line behind a byte order mark.")))));
        one(kinds, "JSON object nested 10,000 deep",
                utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)), Reason.MALFORMED_JSON);
        one(kinds, "JSON array nested 10,000 deep", utf8("[".repeat(10_000) + "]".repeat(10_000)), Reason.MALFORMED_JSON);
        kinds.add(new Kind("1 MB record key", List.of(new Doc(utf8("k".repeat(1 << 20)),
                utf8("{\"text\": \"A document whose key is a megabyte long.\"}"),
                Outcome.accepted("A document whose key is a megabyte long.")))));
        one(kinds, "1 MB JSON field name",
                utf8("{\"" + "n".repeat(1 << 20) + "\": 1, \"text\": \"named hugely\"}"), Reason.MALFORMED_JSON);
        one(kinds, "binary garbage (PNG header)",
                bytes(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13), Reason.BINARY);
        one(kinds, "random bytes", randomBytes(4096, 9), Reason.BINARY);
        one(kinds, "NUL byte inside text", utf8("a line with a \u0000 NUL in it"), Reason.BINARY);
        kinds.add(new Kind("duplicate id, different texts", List.of(
                new Doc(utf8("same-id"), utf8("{\"id\": \"same-id\", \"text\": \"The first text under this id.\"}"),
                        Outcome.accepted("The first text under this id.")),
                new Doc(utf8("same-id"), utf8("{\"id\": \"same-id\", \"text\": \"Another text under the same id.\"}"),
                        Outcome.accepted("Another text under the same id.")))));
        kinds.add(new Kind("duplicate id, same text", List.of(
                new Doc(utf8("twice"), utf8("{\"id\": \"twice\", \"text\": \"Said once, then said again.\"}"),
                        Outcome.accepted("Said once, then said again.")),
                new Doc(utf8("twice"), utf8("{\"id\": \"twice\", \"text\": \"Said once, then said again.\"}"),
                        Outcome.rejected(Reason.DUPLICATE)))));
        accepted(kinds, "emoji", "Ships \uD83D\uDEA2 and waves \uD83C\uDF0A, a family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 and a flag \uD83C\uDDF3\uD83C\uDDF4.");
        accepted(kinds, "CJK", "潮が満ちて、古い港の壁を越えた。海上的船随着潮水升起。바다는 조용했다.");
        accepted(kinds, "RTL (Arabic, Hebrew)", "المد ارتفع فوق جدار الميناء القديم. הגאות עלתה מעל חומת הנמל.");
        kinds.add(new Kind("unknown extra fields", List.of(new Doc(utf8("extra-fields"),
                utf8("{\"text\": \"Fields we do not know are ignored.\", \"lang\": \"en\", \"score\": 0.9,"
                        + " \"tags\": [\"a\", {\"b\": null}], \"schema\": 99}"),
                Outcome.accepted("Fields we do not know are ignored.")))));
        one(kinds, "duplicate \"text\" field", utf8("{\"text\": \"one\", \"text\": \"two\"}"), Reason.MALFORMED_JSON);
        one(kinds, "two JSON objects in one value", utf8("{\"text\": \"one\"} {\"text\": \"two\"}"), Reason.MALFORMED_JSON);
        accepted(kinds, "prose that starts like JSON", "[1] Smith et al. found 42 is the answer, true or not.");
        accepted(kinds, "plain-text line (kcat -P)", "The tide came in over the old harbour wall.");
        return List.copyOf(kinds);
    }

    /** A long text that is not one repeated piece: words drawn from a small vocabulary, seeded. */
    static String prose(int bytes, long seed) {
        String[] words = {"the", "tide", "came", "in", "over", "old", "harbour", "wall", "and", "boats", "rose",
                "with", "it", "while", "gulls", "circled", "above", "quiet", "water", "morning", "light", "on",
                "stone", "nets", "drying", "fishermen", "spoke", "of", "weather", "north", "wind", "rain"};
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(bytes + 16);
        while (text.length() < bytes) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(12) == 0 ? ".\n" : " ");
        }
        text.setLength(bytes);
        return text.toString().strip();
    }

    private static void one(List<Kind> kinds, String name, byte[] value, Reason reason) {
        kinds.add(new Kind(name, List.of(new Doc(utf8(name), value, Outcome.rejected(reason)))));
    }

    private static void accepted(List<Kind> kinds, String name, String text) {
        kinds.add(new Kind(name, List.of(new Doc(utf8(name), utf8(text), Outcome.accepted(text)))));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private BadInput() {
    }
}
