package io.spindle.drafter;

import java.util.List;

/**
 * A snapshot of one worker's idle windows, as the REST API returns it.
 *
 * @param worker        trainer replica id
 * @param open          the idle period going on now, null when the worker is busy
 * @param totalIdleMs   summed duration of every closed window seen (not only the recent ones)
 * @param closedWindows how many windows closed
 * @param recent        the most recent closed windows, newest last
 */
public record WorkerIdleWindows(String worker, OpenIdleWindow open, long totalIdleMs, long closedWindows,
                                List<IdleWindow> recent) {
}
