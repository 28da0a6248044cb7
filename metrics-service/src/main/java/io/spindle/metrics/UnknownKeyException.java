package io.spindle.metrics;

/** A run or worker the stores have never seen; answered 404. */
public class UnknownKeyException extends RuntimeException {

    public UnknownKeyException(String what, String key) {
        super("unknown " + what + " '" + key + "'");
    }
}
