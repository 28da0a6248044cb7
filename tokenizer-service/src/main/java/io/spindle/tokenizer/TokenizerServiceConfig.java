package io.spindle.tokenizer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;

/** Settings of the tokenizer service, under {@code spindle.tokenizer}. */
@ConfigMapping(prefix = "spindle.tokenizer")
public interface TokenizerServiceConfig {

    /**
     * Which tokenizer: a Hugging Face {@code tokenizer.json} file, or {@code tiktoken:NAME} for a tiktoken
     * encoding (cl100k_base, o200k_base, p50k_base, r50k_base). Required: the service refuses to start
     * without it.
     */
    String path();

    /** The token that separates documents in a packed row. Must be one token of the vocabulary. */
    @WithDefault("<|endoftext|>")
    String eosToken();

    /**
     * {@code auto}: encode with Spindle's byte-level BPE encoder when the tokenizer.json qualifies and gives
     * the same ids as DJL on the probe texts at start-up, else with DJL; {@code off}: always DJL;
     * {@code required}: refuse to start unless the fast path qualifies.
     */
    @WithDefault("auto")
    FastPath fastPath();

    /** Rows per batch (B). */
    @WithDefault("8")
    int rowsPerBatch();

    /** Tokens per row, T+1: a model with context T trains on inputs row[0..T) and targets row[1..T]. */
    @WithDefault("129")
    int rowLength();

    /** Data run id written into every batch. */
    @WithDefault("corpus")
    String runId();

    /** Documents larger than this many bytes are rejected with TOO_LARGE. */
    @WithDefault("8388608")
    int maxDocumentBytes();

    /**
     * What to do with bytes that are not valid UTF-8 (and lone surrogates from JSON escapes):
     * {@code reject} with INVALID_UTF8, or {@code replace} them with U+FFFD and accept the document.
     */
    @WithDefault("reject")
    InvalidUtf8 invalidUtf8();

    /** Normalize text to Unicode NFC before hashing and tokenizing (off: the text is tokenized as sent). */
    @WithDefault("false")
    boolean nfc();

    /**
     * Drop exact duplicates: a document whose normalized text hashes (SHA-256) to one already accepted from
     * the same input partition goes to corpus.rejected as DUPLICATE. The hashes live in a changelogged
     * state store, so the check survives restarts and is exactly-once.
     */
    @WithDefault("true")
    boolean dedup();

    /** Optional mixing of documents by their {@code source} field (see {@link SourceMixer}). */
    Mixing mixing();

    interface Mixing {
        /**
         * Target share of the packed tokens per source, e.g. {@code spindle.tokenizer.mixing.weights.web=0.7};
         * normalized to sum 1. Empty (the default): no mixing, documents are packed as they come.
         */
        Map<String, Double> weights();

        /** Tokens a partition may hold back waiting for a weighted source that has nothing queued. */
        @WithDefault("4000000")
        long maxBufferedTokens();
    }

    enum FastPath { AUTO, OFF, REQUIRED }

    enum InvalidUtf8 { REJECT, REPLACE }
}
