package io.spindle.metrics;

/** A run, worker or metric the service does not know; answered 404. */
public class UnknownKeyException extends RuntimeException {

    public UnknownKeyException(String what, String key) {
        super("unknown " + what + " '" + key + "'");
    }

    public UnknownKeyException(String what, String key, String hint) {
        super("unknown " + what + " '" + key + "'; " + hint);
    }
}
