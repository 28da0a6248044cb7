package io.spindle.metrics;

import java.time.Duration;

/** Short labels for window sizes, as they appear in store names and the {@code window} query parameter. */
final class DurationLabel {

    /** 10s, 1m, 1h, 1d; milliseconds ("500ms") when nothing larger divides it. */
    static String of(Duration size) {
        long ms = size.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    private DurationLabel() {
    }
}
