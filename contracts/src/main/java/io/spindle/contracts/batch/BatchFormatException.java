package io.spindle.contracts.batch;

/** Bytes that are not a valid batch, or a batch that cannot be encoded within the limits. */
public class BatchFormatException extends RuntimeException {
    public BatchFormatException(String message) {
        super(message);
    }
}
