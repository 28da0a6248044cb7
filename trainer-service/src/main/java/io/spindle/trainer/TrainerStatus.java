package io.spindle.trainer;

import io.spindle.contracts.StepMetrics;

/** The training loop's latest state, for REST, health and Prometheus. Written by the loop only. */
public final class TrainerStatus {

    public enum State { STARTING, WAITING, IDLE, TRAINING, DONE, FAILED }

    private volatile State state = State.STARTING;
    private volatile StepMetrics latest;
    private volatile String error;
    private volatile long skippedBatches;
    private volatile double dataWaitShare;

    void state(State state) {
        this.state = state;
    }

    /** @param dataWaitShare the run's data-wait share since this process's first step (see {@link ProgressWindow}) */
    void stepped(StepMetrics metrics, double dataWaitShare) {
        this.latest = metrics;
        this.dataWaitShare = dataWaitShare;
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

    /**
     * What {@code GET /api/status} answers. {@code dataWaitPct}: the share of wall time spent waiting for batches
     * since this process's first step, 0..100; the wait for the first batch (start-up) is left out, unlike in
     * the per-step metrics, which report every wait.
     */
    public record View(String state, long step, Double loss, Double tokensPerS, Double mfu, double dataWaitPct,
                       long skippedBatches, String error) {
    }

    public View view() {
        StepMetrics m = latest;
        return new View(state.name(), m == null ? 0 : m.step(), m == null ? null : m.loss(),
                m == null ? null : m.tokensPerS(), m == null ? null : m.mfu(), dataWaitShare * 100, skippedBatches, error);
    }
}
