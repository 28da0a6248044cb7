package io.spindle.trainer;

import io.spindle.contracts.StepMetrics;

/** The training loop's latest state, for REST, health and Prometheus. Written by the loop only. */
public final class TrainerStatus {

    public enum State { STARTING, WAITING, IDLE, TRAINING, DONE, FAILED }

    private volatile State state = State.STARTING;
    private volatile StepMetrics latest;
    private volatile String error;
    private volatile long skippedBatches;

    void state(State state) {
        this.state = state;
    }

    void stepped(StepMetrics metrics) {
        this.latest = metrics;
    }

    void failed(Throwable cause) {
        this.error = cause.toString();
        this.state = State.FAILED;
    }

    void skipped() {
        skippedBatches++;
    }

    public State state() {
        return state;
    }

    public StepMetrics latest() {
        return latest;
    }

    public String error() {
        return error;
    }

    public long skippedBatches() {
        return skippedBatches;
    }

    /** What {@code GET /api/status} answers. */
    public record View(String state, long step, Double loss, Double tokensPerS, Double mfu, long skippedBatches, String error) {
    }

    public View view() {
        StepMetrics m = latest;
        return new View(state.name(), m == null ? 0 : m.step(), m == null ? null : m.loss(),
                m == null ? null : m.tokensPerS(), m == null ? null : m.mfu(), skippedBatches, error);
    }
}
