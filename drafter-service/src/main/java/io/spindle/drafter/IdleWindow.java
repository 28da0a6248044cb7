package io.spindle.drafter;

import io.spindle.contracts.IdleReason;

/**
 * A closed idle period of one worker: from its IDLE event to the BUSY that followed.
 *
 * @param run        run the worker was training
 * @param reason     why it was idle
 * @param start      IDLE time, epoch ms
 * @param end        BUSY time, epoch ms
 * @param durationMs {@code end - start}, never negative
 */
public record IdleWindow(String run, IdleReason reason, long start, long end, long durationMs) {
}
