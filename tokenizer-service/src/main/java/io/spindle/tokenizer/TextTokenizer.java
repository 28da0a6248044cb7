package io.spindle.tokenizer;

/** Text to token ids, with the end-of-document token that separates packed documents. */
public interface TextTokenizer extends AutoCloseable {

    int[] encode(String text);

    int eosId();

    /** Identifies the vocabulary, e.g. {@code tokenizer.json@1a2b3c4d5e6f}; written into every batch. */
    String id();

    @Override
    void close();
}
