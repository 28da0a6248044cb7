package io.spindle.contracts;

/** Why a worker's compute sits idle. */
public enum IdleReason {
    /** Waiting for the next training batch. */
    DATA_WAIT,
    /** Waiting at a synchronisation barrier with other replicas. */
    SYNC_WAIT,
    /** Rollout workers done early while the long tail of generations runs on. */
    ROLLOUT_TAIL,
    /** The worker is shutting down or draining its input. */
    DRAINING
}
