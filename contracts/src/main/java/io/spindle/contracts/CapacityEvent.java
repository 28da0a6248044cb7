package io.spindle.contracts;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A worker's compute became idle or busy; {@code capacity.events}, key: worker. The JSON carries
 * {@code "state": "IDLE" | "BUSY"}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "state")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CapacityEvent.Idle.class, name = "IDLE"),
        @JsonSubTypes.Type(value = CapacityEvent.Busy.class, name = "BUSY")})
public sealed interface CapacityEvent {

    int schema();

    String worker();

    String run();

    /** When the state began, epoch ms. */
    long time();

    IdleReason reason();

    /**
     * The worker stopped computing.
     *
     * @param expectedIdleMs the worker's guess of how long it will stay idle, 0 if unknown
     */
    record Idle(int schema, String worker, String run, long time, IdleReason reason, long expectedIdleMs)
            implements CapacityEvent {
    }

    /**
     * The worker resumed computing.
     *
     * @param reason the reason of the idle period that ended
     * @param idleMs how long that idle period lasted
     */
    record Busy(int schema, String worker, String run, long time, IdleReason reason, long idleMs)
            implements CapacityEvent {
    }
}
