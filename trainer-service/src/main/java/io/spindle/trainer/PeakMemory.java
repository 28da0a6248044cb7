package io.spindle.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's peak resident memory. The JVM's own numbers miss PyTorch's native allocations, which are
 * most of a trainer's memory, so this reads the kernel's high-water mark (VmHWM) instead.
 */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {
    }

    /** Peak RSS in MB, or -1 where /proc is not available. */
    static long residentMb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
