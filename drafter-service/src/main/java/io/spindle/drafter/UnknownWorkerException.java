package io.spindle.drafter;

/** A worker that never sent a capacity event; answered 404. */
public class UnknownWorkerException extends RuntimeException {

    public UnknownWorkerException(String worker) {
        super("unknown worker '" + worker + "': no capacity event seen from it");
    }
}
