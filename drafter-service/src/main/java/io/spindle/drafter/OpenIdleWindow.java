package io.spindle.drafter;

import io.spindle.contracts.IdleReason;

/**
 * An idle period still going on: the worker said IDLE and no BUSY has followed yet.
 *
 * @param run            run the worker is training
 * @param reason         why it is idle
 * @param start          IDLE time, epoch ms
 * @param expectedIdleMs the worker's guess of the idle length, 0 if unknown
 */
public record OpenIdleWindow(String run, IdleReason reason, long start, long expectedIdleMs) {
}
