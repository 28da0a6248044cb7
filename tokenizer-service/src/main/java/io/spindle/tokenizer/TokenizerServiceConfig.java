package io.spindle.tokenizer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** Settings of the tokenizer service, under {@code spindle.tokenizer}. */
@ConfigMapping(prefix = "spindle.tokenizer")
public interface TokenizerServiceConfig {

    /** A Hugging Face {@code tokenizer.json}. Required: the service refuses to start without it. */
    Path path();

    /** The token that separates documents in a packed row. Must be one token of the vocabulary. */
    @WithDefault("<|endoftext|>")
    String eosToken();

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
}
