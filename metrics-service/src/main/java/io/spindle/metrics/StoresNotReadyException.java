package io.spindle.metrics;

/** The Kafka Streams stores cannot be queried yet (starting, restoring, rebalancing); answered 503. */
public class StoresNotReadyException extends RuntimeException {

    public StoresNotReadyException(String message) {
        super(message);
    }
}
