package io.spindle.contracts;

/**
 * How a record rejected by the tokenizer is described on {@code corpus.rejected}: the original key and
 * bytes, with these headers.
 */
public final class Rejection {

    /** A {@link Reason} name. */
    public static final String HEADER_REASON = "spindle.reject.reason";
    /** Human-readable detail, e.g. the parser's message. */
    public static final String HEADER_DETAIL = "spindle.reject.detail";
    public static final String HEADER_SOURCE_TOPIC = "spindle.source.topic";
    public static final String HEADER_SOURCE_PARTITION = "spindle.source.partition";
    public static final String HEADER_SOURCE_OFFSET = "spindle.source.offset";

    /** Why a record was rejected. The table in docs/rejections.md explains each. */
    public enum Reason {
        TOMBSTONE,
        EMPTY,
        INVALID_UTF8,
        MALFORMED_JSON,
        NOT_AN_OBJECT,
        MISSING_TEXT,
        TEXT_NOT_STRING,
        BLANK_TEXT,
        TOO_LARGE,
        /** Bytes that are not text: NUL bytes, or mostly control characters or replacement characters. */
        BINARY,
        /** The same normalized text was already accepted from this input partition. */
        DUPLICATE
    }

    private Rejection() {
    }
}
