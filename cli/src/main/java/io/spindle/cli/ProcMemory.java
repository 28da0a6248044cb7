package io.spindle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's resident set from /proc: the peak (VmHWM) and the current one (VmRSS). */
final class ProcMemory {

    private ProcMemory() {
    }

    static long peakRssKb(long pid) {
        return statusKb(pid, "VmHWM:");
    }

    static long rssKb(long pid) {
        return statusKb(pid, "VmRSS:");
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process just exited
        }
        return -1;
    }
}
